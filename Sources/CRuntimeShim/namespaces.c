#ifdef __linux__
#include "spawn_child.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int child_clone_flags(int kinds) {
    int flags = 0;
    if (kinds & CRS_NS_PID) flags |= CLONE_NEWPID;
    if (kinds & CRS_NS_NET) flags |= CLONE_NEWNET;
    if (kinds & CRS_NS_IPC) flags |= CLONE_NEWIPC;
    if (kinds & CRS_NS_UTS) flags |= CLONE_NEWUTS;
    if (kinds & CRS_NS_MOUNT) flags |= CLONE_NEWNS;
    if (kinds & CRS_NS_USER) flags |= CLONE_NEWUSER;
    /* The cgroup namespace is unshared after joining the cgroup, so that its root is the
     * container's cgroup: never a clone flag. */
    return flags;
}

static int join_one(int fd, int nstype, const char *name, struct crs_child_failure *f) {
    if (fd < 0) return 0;
    if (setns(fd, nstype) < 0) return child_fail(f, "setns", name, errno);
    return 0;
}

/* The mount namespace goes last: joining it changes our root, and nothing after needs
 * the old one (the fds were opened by the parent). */
int child_join_namespaces(const struct crs_join_namespaces *j, int include_pid,
                          struct crs_child_failure *f) {
    if (join_one(j->user, CLONE_NEWUSER, "user namespace", f) < 0) return -1;
    if (include_pid && join_one(j->pid, CLONE_NEWPID, "pid namespace", f) < 0) return -1;
    if (join_one(j->ipc, CLONE_NEWIPC, "ipc namespace", f) < 0) return -1;
    if (join_one(j->uts, CLONE_NEWUTS, "uts namespace", f) < 0) return -1;
    if (join_one(j->net, CLONE_NEWNET, "network namespace", f) < 0) return -1;
    if (join_one(j->cgroup, CLONE_NEWCGROUP, "cgroup namespace", f) < 0) return -1;
    if (join_one(j->mount, CLONE_NEWNS, "mount namespace", f) < 0) return -1;
    return 0;
}

/* A new network namespace starts with `lo` down; runc brings it up, and so do we. */
int child_loopback_up(struct crs_child_failure *f) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return child_fail(f, "socket", "loopback", errno);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    child_strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
        int err = errno;
        close(s);
        return child_fail(f, "get flags", "lo", err);
    }
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
        int err = errno;
        close(s);
        return child_fail(f, "set up", "lo", err);
    }
    close(s);
    return 0;
}

/* linux.sysctl, through the container's /proc/sys: each file is resolved in the
 * namespaces of the writer (net.* in its network namespace, kernel.shm* in its IPC one). */
int child_write_sysctls(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    for (size_t i = 0; c->sysctl_paths && c->sysctl_paths[i]; i++) {
        char path[PATH_MAX];
        if (child_path_join(path, sizeof(path), "/proc/sys", c->sysctl_paths[i]) < 0) {
            return child_fail(f, "sysctl", c->sysctl_paths[i], ENAMETOOLONG);
        }
        int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) return child_fail(f, "open sysctl", path, errno);
        const char *value = c->sysctl_values[i];
        size_t len = strlen(value);
        ssize_t n;
        do { n = write(fd, value, len); } while (n < 0 && errno == EINTR);
        int err = errno;
        close(fd);
        if (n < 0) return child_fail(f, "write sysctl", path, err);
        if ((size_t)n != len) return child_fail(f, "write sysctl", path, EIO);
    }
    return 0;
}
#endif
