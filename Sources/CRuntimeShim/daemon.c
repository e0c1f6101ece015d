#ifdef __linux__
#include "crs_daemon.h"
#include "child_fds.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void mark_cloexec_above_stdio(int keep_fd, int keep_fd2) {
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        for (int fd = 3; fd < 4096; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (keep_fd >= 0) fcntl(keep_fd, F_SETFD, 0);
    if (keep_fd2 >= 0) fcntl(keep_fd2, F_SETFD, 0);
}

/* stdin, stdout and stderr on /dev/null, for a process that outlives its caller's stdio. */
static void stdio_to_null(void) {
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd < 0) return;
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    if (null_fd > 2) close(null_fd);
}

/* Runs in the intermediate child of a multithreaded parent: async-signal-safe calls only. */
static void daemon_child(const char *path, char *const argv[], char *const envp[], int keep_fd,
                         int keep_fd2, int report_fd) {
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
    stdio_to_null();
    mark_cloexec_above_stdio(keep_fd, keep_fd2);
    execve(path, argv, envp);
    int err[2] = {-1, errno};
    (void)!write(report_fd, err, sizeof(err));
    _exit(127);
}

/* fork() with a CLOEXEC report pipe: returns the child's pid (0 in the child), report[0]
 * for the parent and report[1] for the child; -1 with errno and nothing open on failure. */
static pid_t fork_reporting(int report[2]) {
    if (pipe2(report, O_CLOEXEC) < 0) return -1;
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        close(report[0]);
        close(report[1]);
        errno = saved;
    }
    return child;
}

pid_t crs_spawn_daemon(const char *path, char *const argv[], char *const envp[], int keep_fd, int keep_fd2) {
    int report[2];
    pid_t child = fork_reporting(report);
    if (child < 0) return -1;
    if (child == 0) {
        int keep[3] = {report[1], keep_fd, keep_fd2};
        crs_close_fds_except_list(keep, 3);
        daemon_child(path, argv, envp, keep_fd, keep_fd2, report[1]);
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

/* PID 1 of the pod's shared PID namespace: reaps whatever is orphaned into it. */
static void pid_holder_main(void) {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    for (;;) {
        int status;
        if (waitpid(-1, &status, 0) < 0 && errno == ECHILD) {
            /* Nothing to reap: sleep until a child appears (SIGCHLD) or we are killed. */
            int sig;
            sigset_t chld;
            sigemptyset(&chld);
            sigaddset(&chld, SIGCHLD);
            sigwait(&chld, &sig);
        }
    }
}

pid_t crs_spawn_pid_namespace_holder(void) {
    int report[2];
    pid_t child = fork_reporting(report);
    if (child < 0) return -1;
    if (child == 0) {
        crs_close_fds_except(report[1], -1);
        int result[2] = {-1, 0};
        if (setsid() < 0 || unshare(CLONE_NEWPID) < 0) {
            result[1] = errno;
            (void)!write(report[1], result, sizeof(result));
            _exit(1);
        }
        pid_t holder = fork();
        if (holder == 0) {
            close(report[1]);
            stdio_to_null();
            pid_holder_main();
        }
        result[0] = holder;
        result[1] = holder < 0 ? errno : 0;
        (void)!write(report[1], result, sizeof(result));
        _exit(0);
    }
    close(report[1]);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    int result[2] = {-1, EIO};
    ssize_t n;
    while ((n = read(report[0], result, sizeof(result))) < 0 && errno == EINTR) {}
    close(report[0]);
    if (n != (ssize_t)sizeof(result) || result[0] <= 0) {
        errno = n == (ssize_t)sizeof(result) && result[1] != 0 ? result[1] : EIO;
        return -1;
    }
    return result[0];
}
#endif
