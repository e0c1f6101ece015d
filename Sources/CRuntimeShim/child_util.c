#ifdef __linux__
// The small helpers every file of the container child shares (declared in spawn_child.h):
// string copy, failure records and path joins, with no malloc and no stdio, as the child
// between clone and execve needs.
#include "spawn_child.h"

#include <errno.h>
#include <string.h>

void child_strlcpy(char *dst, const char *src, size_t size) {
    if (size == 0) return;
    size_t i = 0;
    if (src != NULL) {
        for (; i + 1 < size && src[i] != '\0'; i++) dst[i] = src[i];
    }
    dst[i] = '\0';
}

int child_fail(struct crs_child_failure *f, const char *stage, const char *detail, int err) {
    f->error = err;
    child_strlcpy(f->stage, stage, sizeof(f->stage));
    child_strlcpy(f->detail, detail ? detail : "", sizeof(f->detail));
    errno = err;
    return -1;
}

int child_path_join(char *dst, size_t size, const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    while (la > 0 && a[la - 1] == '/') la--;
    while (lb > 0 && b[0] == '/') { b++; lb--; }
    if (la + 1 + lb + 1 > size) { errno = ENAMETOOLONG; return -1; }
    memcpy(dst, a, la);
    dst[la] = '/';
    memcpy(dst + la + 1, b, lb);
    dst[la + 1 + lb] = '\0';
    return 0;
}
#endif
