#ifdef __linux__
#include "spawn_child.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PROPAGATION_FLAGS (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

/* mkdir -p, each level 0755; existing directories are fine. */
static int mkdir_p(const char *path, struct crs_child_failure *f) {
    char buf[PATH_MAX];
    child_strlcpy(buf, path, sizeof(buf));
    size_t len = strlen(buf);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return child_fail(f, "mkdir", buf, errno);
        buf[i] = saved;
    }
    return 0;
}

/* The parent directory of a file mount point exists, and the file itself. */
static int make_file(const char *path, struct crs_child_failure *f) {
    char parent[PATH_MAX];
    child_strlcpy(parent, path, sizeof(parent));
    char *slash = strrchr(parent, '/');
    if (slash != NULL && slash != parent) {
        *slash = '\0';
        if (mkdir_p(parent, f) < 0) return -1;
    }
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        if (errno == EISDIR) return 0;
        return child_fail(f, "create mount point", path, errno);
    }
    close(fd);
    return 0;
}

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

static int mount_one(const char *rootfs, const struct crs_mount *m, struct crs_child_failure *f) {
    char dest[PATH_MAX];
    if (child_path_join(dest, sizeof(dest), rootfs, m->destination) < 0) {
        return child_fail(f, "mount", m->destination, errno);
    }
    int bind = (m->flags & MS_BIND) != 0;
    if (bind) {
        struct stat st;
        if (stat(m->source, &st) < 0) return child_fail(f, "mount source", m->source, errno);
        if (S_ISDIR(st.st_mode) ? mkdir_p(dest, f) < 0 : make_file(dest, f) < 0) return -1;
        if (mount(m->source, dest, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0) {
            return child_fail(f, "mount", m->destination, errno);
        }
        if ((m->flags & ~(MS_BIND | MS_REC | PROPAGATION_FLAGS)) != 0 &&
            bind_remount(dest, m->flags, f) < 0) {
            child_strlcpy(f->detail, m->destination, sizeof(f->detail));
            return -1;
        }
    } else {
        if (mkdir_p(dest, f) < 0) return -1;
        if (mount(m->source, dest, m->fstype, m->flags & ~PROPAGATION_FLAGS, m->data) < 0) {
            return child_fail(f, "mount", m->destination, errno);
        }
    }
    if (m->propagation != 0 && mount(NULL, dest, NULL, m->propagation, NULL) < 0) {
        return child_fail(f, "mount propagation", m->destination, errno);
    }
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

static int create_devices(const char *rootfs, struct crs_child_failure *f) {
    char dev[PATH_MAX], path[PATH_MAX];
    if (child_path_join(dev, sizeof(dev), rootfs, "/dev") < 0) return child_fail(f, "mknod", "/dev", errno);
    mode_t old = umask(0);
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
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

int child_setup_rootfs(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    unsigned long propagation = c->rootfs_propagation ? c->rootfs_propagation : (MS_SLAVE | MS_REC);
    /* Nothing we mount may propagate back to the host. */
    if (mount(NULL, "/", NULL, propagation, NULL) < 0) return child_fail(f, "mount propagation", "/", errno);
    /* pivot_root needs the new root to be a mount point. */
    if (mount(c->rootfs, c->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
        return child_fail(f, "mount", c->rootfs, errno);
    }
    for (size_t i = 0; i < c->mounts_count; i++) {
        if (mount_one(c->rootfs, &c->mounts[i], f) < 0) return -1;
    }
    if (c->create_devices && create_devices(c->rootfs, f) < 0) return -1;
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
    if (c->no_pivot ? move_root(c->rootfs, f) < 0 : pivot_root_dot(c->rootfs, f) < 0) return -1;
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
