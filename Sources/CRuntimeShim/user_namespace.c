#ifdef __linux__
// The parent's half of a new user namespace: the container process is cloned into it
// together with its other namespaces, and waits until this has run.
#include "spawn_child.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const char *text, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

/* One write of the whole map, as the kernel requires. */
static int write_proc_file(pid_t pid, const char *name, const char *text) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n;
    do { n = write(fd, text, strlen(text)); } while (n < 0 && errno == EINTR);
    int err = errno;
    close(fd);
    if (n < 0) { errno = err; return -1; }
    if ((size_t)n != strlen(text)) { errno = EIO; return -1; }
    return 0;
}

int crs_map_user_namespace(const struct crs_spawn_config *c, pid_t pid, const char **what) {
    if (write_proc_file(pid, "uid_map", c->uid_map) < 0) {
        *what = "uid_map (linux.uidMappings)";
        return -1;
    }
    if (write_proc_file(pid, "gid_map", c->gid_map) < 0) {
        *what = "gid_map (linux.gidMappings)";
        return -1;
    }
    /* A task in the new namespace may not move itself (the cgroup files belong to the
     * host's root): the host's root moves it. */
    char text[16];
    int len = snprintf(text, sizeof(text), "%d", (int)pid);
    for (size_t i = 0; i < c->cgroup_procs_count; i++) {
        if (write_all(c->cgroup_procs_fds[i], text, (size_t)len) < 0) {
            *what = "cgroup tasks";
            return -1;
        }
    }
    return 0;
}
#endif
