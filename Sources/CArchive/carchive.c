#ifdef __linux__
#include "CArchive.h"

#include <errno.h>
#include <stdlib.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <unistd.h>

const uint64_t CAR_RESOLVE_BENEATH = RESOLVE_BENEATH;
const uint64_t CAR_RESOLVE_IN_ROOT = RESOLVE_IN_ROOT;
const uint64_t CAR_RESOLVE_NO_MAGICLINKS = RESOLVE_NO_MAGICLINKS;
const uint64_t CAR_RESOLVE_NO_SYMLINKS = RESOLVE_NO_SYMLINKS;

int car_openat2(int dirfd, const char *path, int flags, unsigned int mode, uint64_t resolve) {
    struct open_how how = {.flags = (uint64_t)flags, .mode = mode, .resolve = resolve};
    long fd;
    do {
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return (int)fd;
}

int car_mount_overlay(const char *target, const char *const *lowers, int count, const char *upper,
                      const char *work, int read_only) {
    int fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
    if (fs < 0) return -1;
    int mnt = -1, saved;
    for (int i = 0; i < count; i++) {
        if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0) goto fail;
    }
    if (upper != NULL && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0) goto fail;
    if (work != NULL && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0) goto fail;
    if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "index", "off", 0) < 0) goto fail;
    if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) goto fail;
    mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, read_only ? MOUNT_ATTR_RDONLY : 0);
    if (mnt < 0) goto fail;
    if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) goto fail;
    close(mnt);
    close(fs);
    return 0;
fail:
    saved = errno;
    if (mnt >= 0) close(mnt);
    close(fs);
    errno = saved;
    return -1;
}

dev_t car_makedev(unsigned int major, unsigned int minor) { return makedev(major, minor); }
unsigned int car_major(dev_t dev) { return major(dev); }
unsigned int car_minor(dev_t dev) { return minor(dev); }

struct car_sha256 {
    EVP_MD_CTX *md;
};

car_sha256 *car_sha256_new(void) {
    car_sha256 *ctx = malloc(sizeof(*ctx));
    if (ctx == NULL) return NULL;
    ctx->md = EVP_MD_CTX_new();
    if (ctx->md == NULL || EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx->md);
        free(ctx);
        return NULL;
    }
    return ctx;
}

int car_sha256_update(car_sha256 *ctx, const void *data, size_t length) {
    return EVP_DigestUpdate(ctx->md, data, length) == 1 ? 0 : -1;
}

int car_sha256_final(car_sha256 *ctx, unsigned char out[32]) {
    unsigned int length = 0;
    int ok = EVP_DigestFinal_ex(ctx->md, out, &length) == 1 && length == 32;
    car_sha256_free(ctx);
    return ok ? 0 : -1;
}

void car_sha256_free(car_sha256 *ctx) {
    if (ctx == NULL) return;
    EVP_MD_CTX_free(ctx->md);
    free(ctx);
}
#endif
