#ifdef __linux__
#include "CDigest.h"

#include <openssl/evp.h>

static int digest(const EVP_MD *md, const void *data, size_t length, unsigned char *out) {
    return EVP_Digest(data, length, out, NULL, md, NULL) == 1 ? 0 : -1;
}

int cdg_sha256(const void *data, size_t length, unsigned char out[32]) {
    return digest(EVP_sha256(), data, length, out);
}

int cdg_md5(const void *data, size_t length, unsigned char out[16]) {
    return digest(EVP_md5(), data, length, out);
}
#endif
