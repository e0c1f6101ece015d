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

/// Closes every fd above stderr except `a` and `b` (-1 for none).
static inline void crs_close_fds_except(int a, int b) {
    int low = a < b ? a : b, high = a < b ? b : a;
    unsigned int next = 3;
    if (low >= 3) {
        crs_close_range(next, (unsigned int)low - 1);
        next = (unsigned int)low + 1;
    }
    if (high >= 3) {
        crs_close_range(next, (unsigned int)high - 1);
        next = (unsigned int)high + 1;
    }
    crs_close_range(next, ~0U);
}

#endif
