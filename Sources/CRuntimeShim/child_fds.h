// For children forked from the multithreaded agent: close every inherited fd but the ones
// the child needs. Until it execs, a child holds copies of every pipe the agent had open,
// including other children's sync pipes, and two children blocked on each other's EOF
// deadlock. Async-signal-safe.
#ifndef CRS_CHILD_FDS_H
#define CRS_CHILD_FDS_H

#include <sys/syscall.h>
#include <unistd.h>

static inline void crs_close_range(unsigned int first, unsigned int last) {
    if (first > last) return;
    if (syscall(SYS_close_range, first, last, 0U) < 0) {
        unsigned int end = last > 4095 ? 4095 : last;
        for (unsigned int fd = first; fd <= end; fd++) close((int)fd);
    }
}

/// Closes every fd above stderr except the `count` fds in `keep` (-1 entries are ignored).
static inline void crs_close_fds_except_list(const int *keep, int count) {
    int sorted[8];
    int n = 0;
    for (int i = 0; i < count && n < 8; i++) {
        if (keep[i] < 3) continue;
        int j = n++;
        while (j > 0 && sorted[j - 1] > keep[i]) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = keep[i];
    }
    unsigned int next = 3;
    for (int i = 0; i < n; i++) {
        if ((unsigned int)sorted[i] < next) continue;
        crs_close_range(next, (unsigned int)sorted[i] - 1);
        next = (unsigned int)sorted[i] + 1;
    }
    crs_close_range(next, ~0U);
}

/// Closes every fd above stderr except `a` and `b` (-1 for none).
static inline void crs_close_fds_except(int a, int b) {
    int keep[2] = {a, b};
    crs_close_fds_except_list(keep, 2);
}

#endif
