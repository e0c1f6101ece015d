#ifdef __linux__
#include "crs_spawn.h"
#include "crs_sys.h"
#include "spawn_child.h"
#include "child_fds.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

const int CRS_NS_PID = 1;
const int CRS_NS_NET = 2;
const int CRS_NS_IPC = 4;
const int CRS_NS_UTS = 8;
const int CRS_NS_MOUNT = 16;
const int CRS_NS_CGROUP = 32;
const int CRS_NS_USER = 64;

/* What travels over the sync pipe: one fixed-size record per write (< PIPE_BUF, atomic). */
enum { MSG_PID = 1, MSG_READY = 2, MSG_ERROR = 3 };
struct sync_msg {
    int type;
    pid_t pid;
    struct crs_child_failure failure;
};

#define CHILD_STACK_SIZE (512 * 1024)

static int write_full(int fd, const void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, (const char *)buf + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

/* Reads one whole record; 0 on EOF, -1 on error. EINTR is retried, so a signal never turns
 * into a busy loop. */
static ssize_t read_msg(int fd, struct sync_msg *msg) {
    size_t done = 0;
    while (done < sizeof(*msg)) {
        ssize_t n = read(fd, (char *)msg + done, sizeof(*msg) - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) return done == 0 ? 0 : -1;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static void send_failure(int sync_fd, const struct crs_child_failure *f) {
    struct sync_msg msg;
    memset(&msg, 0, sizeof(msg));
    msg.type = MSG_ERROR;
    msg.failure = *f;
    (void)write_full(sync_fd, &msg, sizeof(msg));
}

/* ---- the child ---------------------------------------------------------------------- */

struct child_args {
    const struct crs_spawn_config *config;
    int sync_fd;
    int joined; /* namespaces and cgroups already joined by the intermediate */
    int userns_fd; /* new user namespace: read end the parent writes "mapped" into, else -1 */
    int userns_peer; /* its write end, closed in the child so a dead parent reads as EOF */
};

static void reset_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)sigaction(sig, &sa, NULL);
    }
    sigset_t empty;
    sigemptyset(&empty);
    (void)sigprocmask(SIG_SETMASK, &empty, NULL);
}

static int join_cgroups(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    for (size_t i = 0; i < c->cgroup_procs_count; i++) {
        if (write_full(c->cgroup_procs_fds[i], "0", 1) < 0) {
            return child_fail(f, "join cgroup", "cgroup.procs", errno);
        }
    }
    return 0;
}

/* Moves the requested fds onto 0, 1, 2 without one clobbering another. */
static int setup_stdio(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    int high[3] = {-1, -1, -1};
    for (int i = 0; i < 3; i++) {
        if (c->stdio[i] < 0) continue;
        high[i] = fcntl(c->stdio[i], F_DUPFD_CLOEXEC, 10);
        if (high[i] < 0) return child_fail(f, "dup", "stdio", errno);
    }
    for (int i = 0; i < 3; i++) {
        if (high[i] < 0) continue;
        if (dup2(high[i], i) < 0) return child_fail(f, "dup2", "stdio", errno);
        close(high[i]);
    }
    return 0;
}

static int write_oom_score_adj(int value, struct crs_child_failure *f) {
    char buf[16];
    int len = snprintf(buf, sizeof(buf), "%d", value);
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return child_fail(f, "open", "/proc/self/oom_score_adj", errno);
    int rc = write_full(fd, buf, (size_t)len);
    int err = errno;
    close(fd);
    if (rc < 0) return child_fail(f, "write", "/proc/self/oom_score_adj", err);
    return 0;
}

static int child_run(struct child_args *a, struct crs_child_failure *f) {
    const struct crs_spawn_config *c = a->config;

    /* Die with the caller while setting up; cleared before we report ready. */
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (a->userns_fd >= 0) {
        /* A new user namespace: wait for the parent's maps (and cgroups), then become its
         * root (our kuid is still the host's root, which the namespace does not map). */
        close(a->userns_peer);
        char go = 0;
        ssize_t n;
        do { n = read(a->userns_fd, &go, 1); } while (n < 0 && errno == EINTR);
        close(a->userns_fd);
        if (n != 1) return child_fail(f, "wait", "user namespace maps", n < 0 ? errno : EPIPE);
        if (syscall(SYS_setresgid, 0, 0, 0) < 0) return child_fail(f, "setgid", "user namespace root", errno);
        if (syscall(SYS_setresuid, 0, 0, 0) < 0) return child_fail(f, "setuid", "user namespace root", errno);
    } else if (!a->joined) {
        if (join_cgroups(c, f) < 0) return -1;
        if (child_join_namespaces(&c->join, 0, f) < 0) return -1;
    }
    if ((c->new_namespaces & CRS_NS_CGROUP) && unshare(CLONE_NEWCGROUP) < 0) {
        return child_fail(f, "unshare", "cgroup namespace", errno);
    }
    if (setsid() < 0) return child_fail(f, "setsid", "", errno);
    if (setup_stdio(c, f) < 0) return -1;
    if ((c->new_namespaces & CRS_NS_NET) && child_loopback_up(f) < 0) return -1;
    if (c->rootfs != NULL && child_setup_rootfs(c, f) < 0) return -1;
    if (c->console_socket >= 0 && child_setup_console(c, f) < 0) return -1;
    if (c->rootfs != NULL && child_finish_rootfs(c, f) < 0) return -1;
    if (c->rootfs == NULL && child_write_sysctls(c, f) < 0) return -1;
    if (c->hostname != NULL && sethostname(c->hostname, strlen(c->hostname)) < 0) {
        return child_fail(f, "sethostname", c->hostname, errno);
    }
    if (c->domainname != NULL && setdomainname(c->domainname, strlen(c->domainname)) < 0) {
        return child_fail(f, "setdomainname", c->domainname, errno);
    }
    if (c->oom_score_adj_set && write_oom_score_adj(c->oom_score_adj, f) < 0) return -1;
    for (size_t i = 0; i < c->rlimits_count; i++) {
        struct rlimit rl = {.rlim_cur = c->rlimits[i].soft, .rlim_max = c->rlimits[i].hard};
        if (setrlimit(c->rlimits[i].resource, &rl) < 0) {
            char name[16];
            snprintf(name, sizeof(name), "%d", c->rlimits[i].resource);
            return child_fail(f, "setrlimit", name, errno);
        }
    }
    /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while we have it. */
    if (!c->no_new_privileges && child_load_seccomp(c, f) < 0) return -1;
    if (child_set_user(c, f) < 0) return -1;
    if (child_set_capabilities(c, f) < 0) return -1;
    if (c->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        return child_fail(f, "prctl", "no_new_privs", errno);
    }
    if (c->cwd != NULL && chdir(c->cwd) < 0) return child_fail(f, "chdir", c->cwd, errno);

    char exe[PATH_MAX];
    if (child_resolve_executable(c, exe, sizeof(exe), f) < 0) return -1;
    if (c->exec_fifo_fd >= 0 && child_check_exec_fifo(c, f) < 0) return -1;
    (void)prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);

    if (c->exec_fifo_fd >= 0) {
        struct sync_msg ready;
        memset(&ready, 0, sizeof(ready));
        ready.type = MSG_READY;
        if (write_full(a->sync_fd, &ready, sizeof(ready)) < 0) _exit(1);
        /* The parent stops reading after READY: from here on, failures go to stderr. */
        close(a->sync_fd);
        a->sync_fd = -1;
        /* The wait for `start` may be long: drop the copies of the caller's other fds
         * (other children's sync pipes, a test's output pipes) so nobody waits on us for EOF. */
        crs_close_fds_except(c->exec_fifo_fd, c->exec_fifo_dir_fd);
        if (child_wait_exec_fifo(c, f) < 0) return -1;
    }
    if (c->no_new_privileges && child_load_seccomp(c, f) < 0) return -1;
    /* Nothing of ours may leak into the container: every fd above stderr closes on exec
     * (the sync pipe included, which is how the parent learns that execve happened). */
    (void)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(exe, (char *const *)c->argv, (char *const *)c->envp);
    return child_fail(f, "exec", exe, errno);
}

static void report_and_exit(struct child_args *a, struct crs_child_failure *f) {
    if (a->sync_fd >= 0) {
        send_failure(a->sync_fd, f);
    } else {
        char line[640];
        int len = snprintf(line, sizeof(line), "swiftlet-runtime: %s %s: %s\n", f->stage, f->detail,
                           strerror(f->error));
        if (len > 0) (void)write_full(2, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
    }
    _exit(127);
}

static int child_main(void *arg) {
    struct child_args *a = arg;
    struct crs_child_failure failure;
    memset(&failure, 0, sizeof(failure));
    reset_signals();
    (void)child_run(a, &failure);
    report_and_exit(a, &failure);
    return 127;
}

static void *alloc_stack(void) {
    void *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    return stack == MAP_FAILED ? NULL : stack;
}

/* clone() on a fresh stack, or, with a cgroup2 fd, clone3(CLONE_INTO_CGROUP) with fork
 * semantics (the child runs on its copy of this stack and never returns here). */
static pid_t spawn_clone(int (*fn)(void *), void *arg, void *stack, int flags, int cgroup_fd) {
    if (cgroup_fd < 0) return clone(fn, (char *)stack + CHILD_STACK_SIZE, flags, arg);
    struct clone_args ca;
    memset(&ca, 0, sizeof(ca));
    ca.flags = (uint64_t)(unsigned int)(flags & ~CSIGNAL) | CLONE_INTO_CGROUP;
    ca.exit_signal = (flags & CLONE_PARENT) ? 0 : (uint64_t)(flags & CSIGNAL);
    ca.cgroup = (uint64_t)cgroup_fd;
    long pid = syscall(SYS_clone3, &ca, sizeof(ca));
    if (pid == 0) _exit(fn(arg));
    return (pid_t)pid;
}

/* The intermediate, used when a PID namespace is joined: setns(pid) only affects children,
 * so it joins everything, then clones the container process as a sibling (CLONE_PARENT)
 * so that the caller is its parent, reports the PID and exits. */
static int intermediate_main(void *arg) {
    struct child_args *a = arg;
    struct crs_child_failure failure;
    memset(&failure, 0, sizeof(failure));
    reset_signals();
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (join_cgroups(a->config, &failure) < 0 ||
        child_join_namespaces(&a->config->join, 1, &failure) < 0) {
        send_failure(a->sync_fd, &failure);
        _exit(1);
    }
    void *stack = alloc_stack();
    if (stack == NULL) {
        child_fail(&failure, "mmap", "child stack", errno);
        send_failure(a->sync_fd, &failure);
        _exit(1);
    }
    a->joined = 1;
    int flags = child_clone_flags(a->config->new_namespaces) | CLONE_PARENT;
    pid_t pid = spawn_clone(child_main, a, stack, flags, a->config->cgroup_v2_fd);
    if (pid < 0) {
        child_fail(&failure, "clone", "container process", errno);
        send_failure(a->sync_fd, &failure);
        _exit(1);
    }
    struct sync_msg msg;
    memset(&msg, 0, sizeof(msg));
    msg.type = MSG_PID;
    msg.pid = pid;
    (void)write_full(a->sync_fd, &msg, sizeof(msg));
    _exit(0);
}

static void fill_result(struct crs_spawn_result *r, const char *stage, const char *detail, int err) {
    r->error = err;
    child_strlcpy(r->stage, stage, sizeof(r->stage));
    child_strlcpy(r->detail, detail, sizeof(r->detail));
}

static void kill_and_reap(pid_t pid) {
    if (pid <= 0) return;
    (void)kill(pid, SIGKILL);
    while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR) {}
}

int crs_spawn(const struct crs_spawn_config *config, struct crs_spawn_result *result) {
    memset(result, 0, sizeof(*result));
    result->pid = -1;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        fill_result(result, "pipe", "sync", errno);
        return -1;
    }
    void *stack = alloc_stack();
    if (stack == NULL) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        fill_result(result, "mmap", "child stack", err);
        return -1;
    }
    int userns[2] = {-1, -1};
    if ((config->new_namespaces & CRS_NS_USER) && pipe2(userns, O_CLOEXEC) < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        munmap(stack, CHILD_STACK_SIZE);
        fill_result(result, "pipe", "user namespace", err);
        return -1;
    }
    struct child_args args = {.config = config, .sync_fd = fds[1], .joined = 0, .userns_fd = userns[0], .userns_peer = userns[1]};
    int via_intermediate = config->join.pid >= 0;
    pid_t first;
    if (via_intermediate) {
        first = clone(intermediate_main, (char *)stack + CHILD_STACK_SIZE, SIGCHLD, &args);
    } else {
        first = spawn_clone(child_main, &args, stack, child_clone_flags(config->new_namespaces) | SIGCHLD,
                            config->cgroup_v2_fd);
    }
    int clone_errno = errno;
    munmap(stack, CHILD_STACK_SIZE);
    close(fds[1]);
    if (userns[0] >= 0) close(userns[0]);
    if (first < 0) {
        close(fds[0]);
        if (userns[1] >= 0) close(userns[1]);
        fill_result(result, "clone", "container process", clone_errno);
        return -1;
    }
    if (userns[1] >= 0) {
        const char *what = "user namespace sync";
        int mapped = crs_map_user_namespace(config, first, &what) == 0 && write_full(userns[1], "1", 1) == 0;
        if (!mapped) fill_result(result, "write", what, errno);
        close(userns[1]);
        if (!mapped) {
            close(fds[0]);
            kill_and_reap(first);
            errno = result->error;
            return -1;
        }
    }

    pid_t pid = via_intermediate ? -1 : first;
    int failed = 0;
    for (;;) {
        struct sync_msg msg;
        ssize_t n = read_msg(fds[0], &msg);
        if (n < 0) {
            fill_result(result, "read", "sync pipe", errno);
            failed = 1;
            break;
        }
        if (n == 0) {
            /* EOF: every writer is gone. Success if the container process exec'd (no fifo
             * wanted); otherwise it died before reporting. */
            if (pid < 0 || config->exec_fifo_fd >= 0) {
                fill_result(result, "start", "container process exited during setup", ECHILD);
                failed = 1;
            }
            break;
        }
        if (msg.type == MSG_PID) {
            pid = msg.pid;
            continue;
        }
        if (msg.type == MSG_READY) break;
        if (msg.type == MSG_ERROR) {
            result->error = msg.failure.error;
            child_strlcpy(result->stage, msg.failure.stage, sizeof(result->stage));
            child_strlcpy(result->detail, msg.failure.detail, sizeof(result->detail));
            failed = 1;
            break;
        }
    }
    close(fds[0]);
    if (via_intermediate) {
        while (waitpid(first, NULL, 0) < 0 && errno == EINTR) {}
    }
    if (failed) {
        kill_and_reap(pid);
        errno = result->error;
        return -1;
    }
    result->pid = pid;
    return 0;
}
#endif
