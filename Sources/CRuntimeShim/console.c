#ifdef __linux__
#include "spawn_child.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

/* Sends `fd` over the unix socket with SCM_RIGHTS, as runc's console socket protocol does
 * (the payload is the pty's name). */
static int send_fd(int sock, int fd, const char *name) {
    struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof(control));
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                         .msg_controllen = sizeof(control)};
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    ssize_t n;
    do { n = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}

/* A pty from the container's own devpts: the master goes to the console socket, the slave
 * becomes stdio, the controlling terminal and (with a rootfs) /dev/console. */
int child_setup_console(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    char ptmx[PATH_MAX];
    if (c->rootfs != NULL) child_path_join(ptmx, sizeof(ptmx), c->rootfs, "/dev/pts/ptmx");
    else child_strlcpy(ptmx, "/dev/ptmx", sizeof(ptmx));
    int master = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return child_fail(f, "open", "/dev/pts/ptmx", errno);
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) return child_fail(f, "unlockpt", "console", errno);
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) return child_fail(f, "open", "pty peer", errno);
    unsigned int number = 0;
    if (ioctl(master, TIOCGPTN, &number) < 0) return child_fail(f, "ptsname", "console", errno);
    char name[64];
    snprintf(name, sizeof(name), "/dev/pts/%u", number);
    if (c->rootfs != NULL) {
        char console[PATH_MAX], source[64];
        child_path_join(console, sizeof(console), c->rootfs, "/dev/console");
        int fd = open(console, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        if (fd >= 0) close(fd);
        snprintf(source, sizeof(source), "/proc/self/fd/%d", slave);
        if (mount(source, console, NULL, MS_BIND, NULL) < 0) {
            return child_fail(f, "mount", "/dev/console", errno);
        }
    }
    if (send_fd(c->console_socket, master, name) < 0) return child_fail(f, "send", "console socket", errno);
    close(master);
    close(c->console_socket);
    for (int i = 0; i < 3; i++) {
        if (dup2(slave, i) < 0) return child_fail(f, "dup2", "console", errno);
    }
    if (slave > 2) close(slave);
    if (ioctl(0, TIOCSCTTY, 0) < 0) return child_fail(f, "ioctl", "controlling terminal", errno);
    return 0;
}
#endif

#ifdef __linux__
/* Parent side of the console socket: receive one fd sent with SCM_RIGHTS. */
int crs_recv_fd(int sock) {
    char name[256];
    struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof(control));
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                         .msg_controllen = sizeof(control)};
    ssize_t n;
    do { n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS) { errno = EBADMSG; return -1; }
    int fd;
    memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    return fd;
}
#endif
