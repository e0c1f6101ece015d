#ifdef __linux__
// The child's last steps before execve: finding the program in the container's PATH and
// the exec fifo that holds it until `start`.
#include "spawn_child.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_byte(int fd) {
    ssize_t n;
    do { n = write(fd, "0", 1); } while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

static const char *env_value(const char *const *envp, const char *name) {
    size_t len = strlen(name);
    for (size_t i = 0; envp && envp[i]; i++) {
        if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=') return envp[i] + len + 1;
    }
    return NULL;
}

/* The executable as execve needs it: argv[0] if it holds a '/', else the first match in
 * the container's PATH (as the container sees it: this runs after pivot_root). */
int child_resolve_executable(const struct crs_spawn_config *c, char *out, size_t size,
                              struct crs_child_failure *f) {
    const char *name = c->argv[0];
    if (name == NULL || name[0] == '\0') return child_fail(f, "exec", "process.args is empty", EINVAL);
    if (strchr(name, '/') != NULL) {
        child_strlcpy(out, name, size);
        if (access(out, X_OK) < 0) return child_fail(f, "exec", name, errno);
        return 0;
    }
    const char *path = env_value(c->envp, "PATH");
    if (path == NULL) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int last = ENOENT;
    while (*path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        char dir[PATH_MAX];
        if (len == 0) { dir[0] = '.'; dir[1] = '\0'; }
        else if (len < sizeof(dir)) { memcpy(dir, path, len); dir[len] = '\0'; }
        else dir[0] = '\0';
        if (dir[0] && child_path_join(out, size, dir, name) == 0) {
            struct stat st;
            if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
                if (access(out, X_OK) == 0) return 0;
                last = errno;
            }
        }
        if (!end) break;
        path = end + 1;
    }
    return child_fail(f, "exec", name, last == ENOENT ? ENOENT : last);
}

/* The fifo as this process may open it: through /proc/self/fd of the O_PATH fd (a magic
 * link checks only the fifo's own mode, 0622, not the root-only state directory), or by
 * name in the state directory when the container has no /proc. */
static int open_exec_fifo(const struct crs_spawn_config *c, int flags) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", c->exec_fifo_fd);
    int fd;
    do { fd = open(path, flags | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
    if (fd >= 0 || errno != ENOENT) return fd;
    do { fd = openat(c->exec_fifo_dir_fd, c->exec_fifo_name, flags | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
    return fd;
}

/* Before reporting ready: can the process, as its own user, open the fifo for writing?
 * Without a reader a non-blocking open fails with ENXIO only once the permission check
 * passed, so a refusal is a create error, not an init that dies after create said yes. */
int child_check_exec_fifo(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    int fd = open_exec_fifo(c, O_WRONLY | O_NONBLOCK);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    if (errno == ENXIO) return 0;
    return child_fail(f, "open", "exec fifo", errno);
}

/* Blocks until `start` opens the fifo for reading, then lets it know we go. */
int child_wait_exec_fifo(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    int fd = open_exec_fifo(c, O_WRONLY);
    if (fd < 0) return child_fail(f, "open", "exec fifo", errno);
    int rc = write_byte(fd);
    int err = errno;
    close(fd);
    if (rc < 0) return child_fail(f, "write", "exec fifo", err);
    return 0;
}
#endif
