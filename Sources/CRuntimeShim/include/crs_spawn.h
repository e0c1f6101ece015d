// Container spawn: the plain-data description Swift fills, and the C child that acts on it.
// Everything between clone and execve happens in C (container_spawn.c and its helpers); the
// child reports failures as (stage, errno, detail) over a CLOEXEC pipe and then _exits.
#ifndef CRS_SPAWN_H
#define CRS_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// One mount, already resolved by the Swift planner. `destination` is absolute inside the
/// container. Bind mounts (MS_BIND in flags) are remounted with `flags` when those hold
/// more than MS_BIND|MS_REC; `propagation` (MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE,
/// maybe with MS_REC) is applied afterwards when non-zero.
struct crs_mount {
    const char *source;
    const char *destination;
    const char *fstype;
    const char *data;
    unsigned long flags;
    unsigned long propagation;
};

/// One `linux.devices` node: type 'c', 'b' or 'p', permission bits in `mode`.
struct crs_device {
    const char *path; /* absolute inside the container */
    int type;
    unsigned int major, minor;
    unsigned int mode;
    uid_t uid;
    gid_t gid;
};

/// One resource limit (RLIMIT_* number, soft, hard).
struct crs_rlimit {
    int resource;
    uint64_t soft;
    uint64_t hard;
};

/// Namespace kinds, as bits of crs_spawn_config.new_namespaces.
extern const int CRS_NS_PID;
extern const int CRS_NS_NET;
extern const int CRS_NS_IPC;
extern const int CRS_NS_UTS;
extern const int CRS_NS_MOUNT;
extern const int CRS_NS_CGROUP;
extern const int CRS_NS_USER;

/// The namespaces to join: an open nsfs fd per kind, or -1.
struct crs_join_namespaces {
    int pid;
    int net;
    int ipc;
    int uts;
    int mount;
    int cgroup;
    int user; /* joined first: the others are then owned by it */
};

/// Everything the child needs, as plain data. Arrays are NULL-terminated where noted,
/// otherwise paired with a count. Fds are open in the parent (CLOEXEC is fine: the child
/// clears it where it must keep one).
struct crs_spawn_config {
    /* the process */
    const char *const *argv; /* NULL-terminated */
    const char *const *envp; /* NULL-terminated */
    const char *cwd;
    uid_t uid;
    gid_t gid;
    const gid_t *additional_gids;
    size_t additional_gids_count;
    uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
    int set_capabilities; /* 0: leave the caller's capabilities */
    const struct crs_rlimit *rlimits;
    size_t rlimits_count;
    int no_new_privileges;
    const void *seccomp_bpf; /* struct sock_filter[], or NULL */
    size_t seccomp_bpf_len;  /* in bytes */
    int oom_score_adj_set;
    int oom_score_adj;

    /* stdio: fds to become 0, 1, 2 (-1 = inherit) */
    int stdio[3];
    /* terminal: a connected unix socket to send the pty master over, or -1 */
    int console_socket;

    /* namespaces */
    int new_namespaces; /* CRS_NS_* bits */
    struct crs_join_namespaces join;
    /* with CRS_NS_USER: /proc/PID/uid_map and gid_map contents ("0 100000 65536\n"). The
     * user namespace is cloned with the others (which it then owns); the parent writes the
     * maps and puts the process in its cgroups (a process in the new user namespace may
     * not), then lets it go on as root of the namespace. Device nodes are bind-mounted
     * from the host, since mknod is not allowed there. */
    const char *uid_map;
    const char *gid_map;

    /* the root filesystem (NULL = no rootfs setup). Without a mount namespace (new or
     * joined) the mounts are made in the caller's and the root is a chroot, as runc does. */
    const char *rootfs;
    unsigned long rootfs_propagation; /* private/slave: applied to "/" first; shared and
                                       * unbindable: after pivot_root (setup under rslave);
                                       * 0 = MS_SLAVE|MS_REC */
    int rootfs_readonly;
    int no_pivot;
    const struct crs_mount *mounts;
    size_t mounts_count;
    int create_devices; /* /dev is a tmpfs: create null, zero, full, random, urandom, tty */
    const struct crs_device *devices; /* linux.devices, made after the mounts */
    size_t devices_count;
    const char *const *masked_paths;   /* NULL-terminated or NULL */
    const char *const *readonly_paths; /* NULL-terminated or NULL */
    const char *hostname; /* NULL = leave */
    const char *domainname;
    /* linux.sysctl: files under /proc/sys and their values (NULL-terminated, or NULL),
     * written after pivot_root and before the read-only paths */
    const char *const *sysctl_paths;
    const char *const *sysctl_values;

    /* cgroups: open fds (O_WRONLY) the child writes "0" into first: v1 `tasks` files (the
     * child is single-threaded, so moving its one thread moves the process, without the
     * global threadgroup lock a cgroup.procs write takes) or cgroup.procs files */
    const int *cgroup_procs_fds;
    size_t cgroup_procs_count;
    /* a cgroup2 directory fd (O_RDONLY|O_DIRECTORY) to clone the process into
     * (clone3 CLONE_INTO_CGROUP), or -1 */
    int cgroup_v2_fd;

    /* the exec fifo: an O_PATH fd of the fifo itself, which the child reopens for writing
     * through /proc/self/fd after it took the process's user (as runc does: no search
     * permission on the state directory is needed), and `exec_fifo_name` inside the
     * O_PATH directory fd `exec_fifo_dir_fd`, for a container without /proc (root only).
     * The child checks it can open it, reports ready, then blocks opening it for writing
     * until `start` opens it for reading. -1 = exec at once. */
    int exec_fifo_fd;
    int exec_fifo_dir_fd;
    const char *exec_fifo_name;
};

/// The outcome of crs_spawn. On failure `stage` names the step and `detail` the object
/// ("mount" + "/proc"), `error` is the errno.
struct crs_spawn_result {
    pid_t pid;
    int error;
    char stage[32];
    char detail[480];
};

/// Clones the container process as a direct child of the caller (with CLONE_PARENT
/// through a short-lived intermediate when a PID namespace is joined) and waits until it
/// has either reached the exec fifo (exec_fifo_fd >= 0) or called execve. Returns 0 with
/// result->pid set, or -1 with result filled; on failure every process it started has
/// been killed and reaped.
int crs_spawn(const struct crs_spawn_config *config, struct crs_spawn_result *result);

#endif
