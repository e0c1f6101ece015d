#ifdef __linux__
#include "crs_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

const int CRS_O_PATH = O_PATH;
const int CRS_F_OFD_GETLK = F_OFD_GETLK;
const int CRS_F_OFD_SETLK = F_OFD_SETLK;

int crs_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int crs_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int crs_cap_last_cap(void) {
    static int cached = -1;
    if (cached >= 0) return cached;
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 40;
    char buf[16] = {0};
    ssize_t n;
    do { n = read(fd, buf, sizeof(buf) - 1); } while (n < 0 && errno == EINTR);
    close(fd);
    int value = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) value = value * 10 + (buf[i] - '0');
    if (n <= 0 || value <= 0) value = 40;
    cached = value;
    return value;
}
#endif
