#ifdef __linux__
#include "spawn_child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PROPAGATION_FLAGS (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

/* The flags the mount at `path` already carries that a bind remount must keep (the kernel
 * refuses to drop locked nosuid/nodev/noexec). */
static unsigned long locked_flags(const char *path) {
    struct statvfs sv;
    if (statvfs(path, &sv) < 0) return 0;
    unsigned long flags = 0;
    if (sv.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    return flags;
}

static int bind_remount(const char *path, unsigned long flags, struct crs_child_failure *f) {
    unsigned long all = MS_BIND | MS_REMOUNT | (flags & ~(MS_BIND | MS_REC | PROPAGATION_FLAGS)) |
                        locked_flags(path);
    if (mount(NULL, path, NULL, all, NULL) < 0) return child_fail(f, "remount", path, errno);
    return 0;
}

/* Paths inside the rootfs are resolved with openat2(RESOLVE_IN_ROOT): a symlink in the
 * image ("/dev -> /etc" or "../../host") stays inside the rootfs instead of reaching the
 * host, as runc's securejoin does. */
static int open_in_root(int rootfd, const char *path, int flags, mode_t mode) {
    while (*path == '/') path++;
    if (*path == '\0') path = ".";
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    long fd;
    do { fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how)); } while (fd < 0 && errno == EINTR);
    return (int)fd;
}

/* mkdir -p of `path` inside the root (its last component too unless `file`, which is
 * created as an empty file instead). A component that is a symlink has its target created
 * inside the root first, so that resolving through it succeeds. */
static int mkdir_in_root_depth(int rootfd, const char *path, int file, int depth, struct crs_child_failure *f) {
    if (depth > 16) return child_fail(f, "mkdir", path, ELOOP);
    char buf[PATH_MAX];
    child_strlcpy(buf, path, sizeof(buf));
    size_t len = strlen(buf);
    size_t start = 0;
    while (start < len && buf[start] == '/') start++;
    while (start < len) {
        size_t end = start;
        while (end < len && buf[end] != '/') end++;
        int last = end >= len;
        /* The parent: everything before this component. */
        char prefix[PATH_MAX];
        memcpy(prefix, buf, start);
        prefix[start] = '\0';
        int parent = open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
        if (parent < 0) return child_fail(f, "open", path, errno);
        char name[NAME_MAX + 1];
        size_t n = end - start < NAME_MAX ? end - start : NAME_MAX;
        memcpy(name, buf + start, n);
        name[n] = '\0';
        int rc = 0;
        if (last && file) {
            int fd = openat(parent, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
            if (fd >= 0) close(fd);
            else if (errno != EISDIR && errno != ELOOP && errno != EEXIST) rc = -1;
        } else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
            rc = -1;
        }
        int err = errno;
        struct stat st;
        char target[PATH_MAX];
        ssize_t tlen = -1;
        if (rc == 0 && fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
            tlen = readlinkat(parent, name, target, sizeof(target) - 1);
        }
        close(parent);
        if (rc < 0) return child_fail(f, "mkdir", path, err);
        if (tlen > 0) {
            target[tlen] = '\0';
            char resolved[PATH_MAX];
            if (target[0] == '/') child_strlcpy(resolved, target, sizeof(resolved));
            else if (child_path_join(resolved, sizeof(resolved), prefix[0] ? prefix : "/", target) < 0)
                return child_fail(f, "mkdir", path, ENAMETOOLONG);
            if (mkdir_in_root_depth(rootfd, resolved, last && file, depth + 1, f) < 0) return -1;
        }
        start = end;
        while (start < len && buf[start] == '/') start++;
    }
    return 0;
}

static int mkdir_in_root(int rootfd, const char *path, int file, struct crs_child_failure *f) {
    return mkdir_in_root_depth(rootfd, path, file, 0, f);
}

/* "/proc/self/fd/N" for an O_PATH fd of the mount point, the target mount(2) gets. */
static void fd_path(char *out, size_t size, int fd) {
    snprintf(out, size, "/proc/self/fd/%d", fd);
}

static int mount_one(int rootfd, const struct crs_mount *m, struct crs_child_failure *f) {
    int bind = (m->flags & MS_BIND) != 0;
    int file = 0;
    if (bind) {
        struct stat st;
        if (stat(m->source, &st) < 0) return child_fail(f, "mount source", m->source, errno);
        file = !S_ISDIR(st.st_mode);
    }
    if (mkdir_in_root(rootfd, m->destination, file, f) < 0) return -1;
    int target = open_in_root(rootfd, m->destination, O_PATH, 0);
    if (target < 0) return child_fail(f, "open mount point", m->destination, errno);
    char path[64];
    fd_path(path, sizeof(path), target);
    int rc;
    if (bind) rc = mount(m->source, path, NULL, MS_BIND | (m->flags & MS_REC), NULL);
    else rc = mount(m->source, path, m->fstype, m->flags & ~PROPAGATION_FLAGS, m->data);
    int err = errno;
    close(target);
    if (rc < 0) return child_fail(f, "mount", m->destination, err);

    int needs_remount = bind && (m->flags & ~(MS_BIND | MS_REC | PROPAGATION_FLAGS)) != 0;
    if (!needs_remount && m->propagation == 0) return 0;
    /* Reopen: the old fd names the directory under the new mount, not the mount. */
    target = open_in_root(rootfd, m->destination, O_PATH, 0);
    if (target < 0) return child_fail(f, "open mount point", m->destination, errno);
    fd_path(path, sizeof(path), target);
    if (needs_remount && bind_remount(path, m->flags, f) < 0) {
        child_strlcpy(f->detail, m->destination, sizeof(f->detail));
        close(target);
        return -1;
    }
    if (m->propagation != 0 && mount(NULL, path, NULL, m->propagation, NULL) < 0) {
        err = errno;
        close(target);
        return child_fail(f, "mount propagation", m->destination, err);
    }
    close(target);
    return 0;
}

struct device { const char *name; unsigned int major, minor; };
static const struct device devices[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};
struct dev_link { const char *name, *target; };
static const struct dev_link dev_links[] = {
    {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"}, {"ptmx", "pts/ptmx"},
};

/* In a user namespace mknod is refused: the host's node is bound over an empty file, as
 * runc does. */
static int bind_device(int rootfd, const char *host_path, const char *path, struct crs_child_failure *f) {
    if (mkdir_in_root(rootfd, path, 1, f) < 0) return -1;
    int target = open_in_root(rootfd, path, O_PATH, 0);
    if (target < 0) return child_fail(f, "open", path, errno);
    char proc[64];
    fd_path(proc, sizeof(proc), target);
    int rc = mount(host_path, proc, NULL, MS_BIND, NULL);
    int err = errno;
    close(target);
    if (rc < 0) return child_fail(f, "bind device", path, err);
    return 0;
}

static int create_devices(int rootfd, const char *rootfs, int in_userns, struct crs_child_failure *f) {
    char dev[PATH_MAX], path[PATH_MAX];
    if (child_path_join(dev, sizeof(dev), rootfs, "/dev") < 0) return child_fail(f, "mknod", "/dev", errno);
    mode_t old = umask(0);
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        if (in_userns) {
            char inside[32];
            snprintf(inside, sizeof(inside), "/dev/%s", devices[i].name);
            if (bind_device(rootfd, inside, inside, f) < 0) {
                umask(old);
                return -1;
            }
            continue;
        }
        child_path_join(path, sizeof(path), dev, devices[i].name);
        if (mknod(path, S_IFCHR | 0666, makedev(devices[i].major, devices[i].minor)) < 0 && errno != EEXIST) {
            umask(old);
            return child_fail(f, "mknod", path + strlen(rootfs), errno);
        }
    }
    umask(old);
    for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
        child_path_join(path, sizeof(path), dev, dev_links[i].name);
        if (symlink(dev_links[i].target, path) < 0 && errno != EEXIST) {
            return child_fail(f, "symlink", path + strlen(rootfs), errno);
        }
    }
    return 0;
}

/* A linux.devices node: mknod in its directory (made if missing) inside the root, with the
 * spec's mode whatever the umask, then its owner. An existing node is left as it is. */
static int make_device(int rootfd, const struct crs_device *d, int in_userns, struct crs_child_failure *f) {
    if (in_userns) return bind_device(rootfd, d->path, d->path, f);
    char parent[PATH_MAX];
    child_strlcpy(parent, d->path, sizeof(parent));
    char *slash = strrchr(parent, '/');
    if (slash == NULL || slash[1] == '\0') return child_fail(f, "mknod", d->path, EINVAL);
    const char *name = d->path + (slash - parent) + 1;
    *slash = '\0';
    if (parent[0] != '\0' && mkdir_in_root(rootfd, parent, 0, f) < 0) return -1;
    int dir = open_in_root(rootfd, parent, O_PATH | O_DIRECTORY, 0);
    if (dir < 0) return child_fail(f, "open", parent[0] ? parent : "/", errno);
    mode_t kind = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
    mode_t old = umask(0);
    int rc = mknodat(dir, name, kind | (d->mode & 07777), makedev(d->major, d->minor));
    int err = errno;
    umask(old);
    if (rc < 0) {
        close(dir);
        if (err == EEXIST) return 0;
        return child_fail(f, "mknod", d->path, err);
    }
    if (fchownat(dir, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0) {
        err = errno;
        close(dir);
        return child_fail(f, "chown", d->path, err);
    }
    close(dir);
    return 0;
}

/* Whether the container has a mount namespace of its own (new or joined). Without one, as
 * runc does, the spec's mounts go into the caller's namespace and the root is a chroot. */
static int private_mount_ns(const struct crs_spawn_config *c) {
    return (c->new_namespaces & CRS_NS_MOUNT) || c->join.mount >= 0;
}

int child_setup_rootfs(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    if (private_mount_ns(c)) {
        /* Nothing we mount may propagate back to the host. A shared or unbindable root is
         * set once the root is in place (after pivot_root, as crun does): a shared parent
         * makes pivot_root fail, an unbindable one the bind of the rootfs onto itself. */
        unsigned long wanted = c->rootfs_propagation;
        unsigned long propagation = (wanted & (MS_PRIVATE | MS_SLAVE)) ? wanted : (MS_SLAVE | MS_REC);
        if (mount(NULL, "/", NULL, propagation, NULL) < 0) return child_fail(f, "mount propagation", "/", errno);
        /* pivot_root needs the new root to be a mount point. */
        if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
            return child_fail(f, "mount", c->rootfs, errno);
        }
    }
    int rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return child_fail(f, "open", c->rootfs, errno);
    for (size_t i = 0; i < c->mounts_count; i++) {
        if (mount_one(rootfd, &c->mounts[i], f) < 0) {
            close(rootfd);
            return -1;
        }
    }
    int in_userns = (c->new_namespaces & CRS_NS_USER) || c->join.user >= 0;
    if (c->create_devices && create_devices(rootfd, c->rootfs, in_userns, f) < 0) {
        close(rootfd);
        return -1;
    }
    for (size_t i = 0; i < c->devices_count; i++) {
        if (make_device(rootfd, &c->devices[i], in_userns, f) < 0) {
            close(rootfd);
            return -1;
        }
    }
    close(rootfd);
    return 0;
}

static int move_root(const char *rootfs, struct crs_child_failure *f) {
    if (chdir(rootfs) < 0) return child_fail(f, "chdir", rootfs, errno);
    if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0) return child_fail(f, "move root", rootfs, errno);
    if (chroot(".") < 0) return child_fail(f, "chroot", rootfs, errno);
    if (chdir("/") < 0) return child_fail(f, "chdir", "/", errno);
    return 0;
}

/* runc's pivot_root(".", "."): the old root ends up stacked under the new one at "/", from
 * where it is detached, so no directory is needed for it inside the rootfs. */
static int pivot_root_dot(const char *rootfs, struct crs_child_failure *f) {
    int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (oldroot < 0) return child_fail(f, "open", "/", errno);
    int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (newroot < 0) {
        int err = errno;
        close(oldroot);
        return child_fail(f, "open", rootfs, err);
    }
    int rc = -1;
    if (fchdir(newroot) < 0) {
        child_fail(f, "chdir", rootfs, errno);
    } else if (syscall(SYS_pivot_root, ".", ".") < 0) {
        int err = errno;
        /* On a ramfs/initramfs root pivot_root cannot work: move and chroot instead. */
        rc = err == EINVAL ? move_root(rootfs, f) : child_fail(f, "pivot_root", rootfs, err);
        close(oldroot);
        close(newroot);
        return rc;
    } else if (fchdir(oldroot) < 0) {
        child_fail(f, "chdir", "old root", errno);
    } else if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
        child_fail(f, "mount propagation", "old root", errno);
    } else if (umount2(".", MNT_DETACH) < 0) {
        child_fail(f, "umount", "old root", errno);
    } else if (chdir("/") < 0) {
        child_fail(f, "chdir", "/", errno);
    } else {
        rc = 0;
    }
    close(oldroot);
    close(newroot);
    return rc;
}

static int mask_path(const char *path, struct crs_child_failure *f) {
    if (mount("/dev/null", path, NULL, MS_BIND, NULL) == 0) return 0;
    if (errno == ENOENT) return 0;
    if (errno == ENOTDIR) {
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) == 0) return 0;
    }
    return child_fail(f, "mask", path, errno);
}

static int readonly_path(const char *path, struct crs_child_failure *f) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT) return 0;
        return child_fail(f, "mount", path, errno);
    }
    if (bind_remount(path, MS_RDONLY | MS_REC, f) < 0) return -1;
    return 0;
}

int child_finish_rootfs(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    if (!private_mount_ns(c)) {
        if (chdir(c->rootfs) < 0) return child_fail(f, "chdir", c->rootfs, errno);
        if (chroot(".") < 0) return child_fail(f, "chroot", c->rootfs, errno);
        if (chdir("/") < 0) return child_fail(f, "chdir", "/", errno);
    } else if (c->no_pivot ? move_root(c->rootfs, f) < 0 : pivot_root_dot(c->rootfs, f) < 0) {
        return -1;
    } else if ((c->rootfs_propagation & (MS_SHARED | MS_UNBINDABLE)) &&
               mount(NULL, "/", NULL, c->rootfs_propagation, NULL) < 0) {
        return child_fail(f, "mount propagation", "/", errno);
    }
    /* As runc: sysctls go in while /proc/sys is still writable (it is a read-only path). */
    if (child_write_sysctls(c, f) < 0) return -1;
    for (size_t i = 0; c->masked_paths && c->masked_paths[i]; i++) {
        if (mask_path(c->masked_paths[i], f) < 0) return -1;
    }
    for (size_t i = 0; c->readonly_paths && c->readonly_paths[i]; i++) {
        if (readonly_path(c->readonly_paths[i], f) < 0) return -1;
    }
    if (c->rootfs_readonly && bind_remount("/", MS_RDONLY, f) < 0) return -1;
    return 0;
}
#endif
