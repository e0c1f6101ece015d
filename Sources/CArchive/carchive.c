#ifdef __linux__
#include "CArchive.h"

#include <errno.h>
#include <stdlib.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
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
