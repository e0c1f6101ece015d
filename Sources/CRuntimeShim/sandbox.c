#ifdef __linux__
#include "crs_sandbox.h"
#include "child_fds.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

const int CRS_PIN_NET = 1;
const int CRS_PIN_IPC = 2;
const int CRS_PIN_UTS = 4;

static ssize_t read_full(int fd, void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

/* The child: unshare, set the hostname, report, then wait until the parent has pinned
 * the namespaces (it closes the hold pipe). Only async-signal-safe calls: the parent is
 * a multithreaded Swift process. */
static void pin_child(int kinds, const char *hostname, int report_fd, int hold_fd) {
    int flags = 0;
    int result[2] = {0, 0}; /* stage (1 unshare, 2 sethostname), errno */
    if (kinds & CRS_PIN_NET) flags |= CLONE_NEWNET;
    if (kinds & CRS_PIN_IPC) flags |= CLONE_NEWIPC;
    if (kinds & CRS_PIN_UTS) flags |= CLONE_NEWUTS;
    if (unshare(flags) < 0) {
        result[0] = 1;
        result[1] = errno;
    } else if ((kinds & CRS_PIN_UTS) && hostname != NULL &&
               sethostname(hostname, strlen(hostname)) < 0) {
        result[0] = 2;
        result[1] = errno;
    }
    (void)!write(report_fd, result, sizeof(result));
    char c;
    while (read(hold_fd, &c, 1) < 0 && errno == EINTR) {}
    _exit(0);
}

static int bind_ns(pid_t pid, const char *kind, const char *target) {
    char source[64];
    snprintf(source, sizeof(source), "/proc/%d/ns/%s", (int)pid, kind);
    return mount(source, target, NULL, MS_BIND, NULL);
}

int crs_pin_namespaces(int kinds, const char *hostname, const char *net_path,
                       const char *ipc_path, const char *uts_path, const char **failed_stage) {
    int report[2], hold[2];
    *failed_stage = "pipe";
    if (pipe2(report, O_CLOEXEC) < 0) return -1;
    if (pipe2(hold, O_CLOEXEC) < 0) {
        close(report[0]);
        close(report[1]);
        return -1;
    }
    *failed_stage = "fork";
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(report[0]); close(report[1]); close(hold[0]); close(hold[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        crs_close_fds_except(report[1], hold[0]);
        pin_child(kinds, hostname, report[1], hold[0]);
    }
    close(report[1]);
    close(hold[0]);

    int result[2] = {0, 0};
    int rc = 0, saved = 0;
    if (read_full(report[0], result, sizeof(result)) != (ssize_t)sizeof(result)) {
        *failed_stage = "unshare";
        saved = EPIPE;
        rc = -1;
    } else if (result[0] != 0) {
        *failed_stage = result[0] == 1 ? "unshare" : "sethostname";
        saved = result[1];
        rc = -1;
    } else {
        const char *mounted[3] = {NULL, NULL, NULL};
        int count = 0;
        struct { int bit; const char *kind; const char *path; } kinds_table[3] = {
            {CRS_PIN_NET, "net", net_path},
            {CRS_PIN_IPC, "ipc", ipc_path},
            {CRS_PIN_UTS, "uts", uts_path},
        };
        for (int i = 0; i < 3 && rc == 0; i++) {
            if (!(kinds & kinds_table[i].bit) || kinds_table[i].path == NULL) continue;
            if (bind_ns(pid, kinds_table[i].kind, kinds_table[i].path) < 0) {
                *failed_stage = "mount";
                saved = errno;
                rc = -1;
                for (int j = 0; j < count; j++) umount2(mounted[j], MNT_DETACH);
            } else {
                mounted[count++] = kinds_table[i].path;
            }
        }
    }
    close(report[0]);
    close(hold[1]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    if (rc < 0) errno = saved;
    return rc;
}
#endif
