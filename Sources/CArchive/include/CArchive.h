// CArchive: libarchive for Swift, plus the few things image unpacking needs that Swift
// cannot reach: openat2(2) (a raw syscall), makedev/major/minor (macros) and SHA-256
// (libcrypto's EVP, so digests use the CPU's SHA extensions).
#ifndef CARCHIVE_H
#define CARCHIVE_H

#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/xattr.h>

/// RESOLVE_* flags for car_openat2 (linux/openat2.h macros, re-exported).
extern const uint64_t CAR_RESOLVE_BENEATH;
extern const uint64_t CAR_RESOLVE_IN_ROOT;
extern const uint64_t CAR_RESOLVE_NO_MAGICLINKS;
extern const uint64_t CAR_RESOLVE_NO_SYMLINKS;

/// openat2(2): returns an fd, or -1 with errno set.
int car_openat2(int dirfd, const char *path, int flags, unsigned int mode, uint64_t resolve);

/// Mounts an overlay at `target` with the new mount API (fsopen/fsconfig "lowerdir+"), which
/// has no one-page limit on the layer list. `lowers` is top layer first; `upper`/`work` may
/// be NULL for a read-only overlay of lowers only. Returns 0, or -1 with errno set.
int car_mount_overlay(const char *target, const char *const *lowers, int count, const char *upper,
                      const char *work, int read_only);

dev_t car_makedev(unsigned int major, unsigned int minor);
unsigned int car_major(dev_t dev);
unsigned int car_minor(dev_t dev);

/// An incremental SHA-256; NULL when libcrypto cannot allocate one.
typedef struct car_sha256 car_sha256;
car_sha256 *car_sha256_new(void);
int car_sha256_update(car_sha256 *ctx, const void *data, size_t length);
/// Writes 32 bytes to out and frees ctx.
int car_sha256_final(car_sha256 *ctx, unsigned char out[32]);
void car_sha256_free(car_sha256 *ctx);

#endif
