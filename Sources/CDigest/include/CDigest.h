// CDigest: the digests upstream names things after — SHA-256 for kube-proxy's chain names,
// MD5 for the kubelet's static pod UIDs — from libcrypto's one-shot EVP_Digest, so Swift
// carries no hash code of its own. Not for security.
#ifndef CDIGEST_H
#define CDIGEST_H

#include <stddef.h>

/// SHA-256 of `length` bytes at `data` into `out`; 0, or -1 when libcrypto fails.
int cdg_sha256(const void *data, size_t length, unsigned char out[32]);

/// MD5 of `length` bytes at `data` into `out`; 0, or -1 when libcrypto fails.
int cdg_md5(const void *data, size_t length, unsigned char out[16]);

#endif
