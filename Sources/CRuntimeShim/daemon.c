#ifdef __linux__
#include "crs_daemon.h"
#include "child_fds.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void mark_cloexec_above_stdio(int keep_fd) {
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        for (int fd = 3; fd < 4096; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (keep_fd >= 0) fcntl(keep_fd, F_SETFD, 0);
}

/* Runs in the intermediate child of a multithreaded parent: async-signal-safe calls only. */
static void daemon_child(const char *path, char *const argv[], char *const envp[], int keep_fd,
                         int report_fd) {
    if (setsid() < 0) _exit(1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int err[2] = {-1, errno};
        (void)!write(report_fd, err, sizeof(err));
        _exit(1);
    }
    if (pid > 0) {
        int ok[2] = {pid, 0};
        (void)!write(report_fd, ok, sizeof(ok));
        _exit(0);
    }
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, 0);
        dup2(null_fd, 1);
        dup2(null_fd, 2);
        if (null_fd > 2) close(null_fd);
    }
    mark_cloexec_above_stdio(keep_fd);
    execve(path, argv, envp);
    int err[2] = {-1, errno};
    (void)!write(report_fd, err, sizeof(err));
    _exit(127);
}

pid_t crs_spawn_daemon(const char *path, char *const argv[], char *const envp[], int keep_fd) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) return -1;
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        close(report[0]);
        close(report[1]);
        errno = saved;
        return -1;
    }
    if (child == 0) {
        crs_close_fds_except(report[1], keep_fd);
        daemon_child(path, argv, envp, keep_fd, report[1]);
    }
    close(report[1]);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    /* First record: the daemon's pid (or a fork failure). A second record comes only if
     * execve failed; a successful exec closes the pipe (CLOEXEC) and gives EOF. */
    int first[2] = {-1, EIO}, second[2];
    ssize_t n;
    while ((n = read(report[0], first, sizeof(first))) < 0 && errno == EINTR) {}
    if (n != (ssize_t)sizeof(first) || first[0] < 0) {
        close(report[0]);
        errno = n == (ssize_t)sizeof(first) ? first[1] : EIO;
        return -1;
    }
    while ((n = read(report[0], second, sizeof(second))) < 0 && errno == EINTR) {}
    close(report[0]);
    if (n == (ssize_t)sizeof(second)) {
        while (waitpid(first[0], &status, WNOHANG) < 0 && errno == EINTR) {}
        errno = second[1];
        return -1;
    }
    return first[0];
}
#endif
