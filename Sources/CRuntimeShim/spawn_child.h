// Internal to the shim: what the container child's helpers share. The child runs after
// clone() from a multithreaded parent, so everything here is async-signal-safe in spirit:
// raw syscalls, no malloc, no locks, no stdio streams.
#ifndef CRS_SPAWN_CHILD_H
#define CRS_SPAWN_CHILD_H

#include "crs_spawn.h"

#include <limits.h>

/// The child's failure record, filled by child_fail and sent to the parent.
struct crs_child_failure {
    int error;
    char stage[32];
    char detail[480];
};

/* child_util.c */

/// Records (stage, detail, err) into *f and returns -1, so helpers can `return child_fail(...)`.
int child_fail(struct crs_child_failure *f, const char *stage, const char *detail, int err);

/// Copies at most size-1 bytes and terminates.
void child_strlcpy(char *dst, const char *src, size_t size);

/// dst = a + b (path join without doubling "/"); fails with ENAMETOOLONG.
int child_path_join(char *dst, size_t size, const char *a, const char *b);

/* child_exec.c */
int child_resolve_executable(const struct crs_spawn_config *c, char *out, size_t size, struct crs_child_failure *f);
int child_check_exec_fifo(const struct crs_spawn_config *c, struct crs_child_failure *f);
int child_wait_exec_fifo(const struct crs_spawn_config *c, struct crs_child_failure *f);

/* user_namespace.c (the parent's side): writes the maps of `pid` and moves it into the
 * cgroups; -1 with errno and *what naming the step. */
int crs_map_user_namespace(const struct crs_spawn_config *c, pid_t pid, const char **what);

/* namespaces.c */
int child_join_namespaces(const struct crs_join_namespaces *join, int include_pid,
                          struct crs_child_failure *f);
int child_loopback_up(struct crs_child_failure *f);
int child_clone_flags(int kinds);
int child_write_sysctls(const struct crs_spawn_config *c, struct crs_child_failure *f);

/* rootfs.c */
int child_setup_rootfs(const struct crs_spawn_config *c, struct crs_child_failure *f);
int child_finish_rootfs(const struct crs_spawn_config *c, struct crs_child_failure *f);

/* capabilities.c */
int child_set_user(const struct crs_spawn_config *c, struct crs_child_failure *f);
int child_set_capabilities(const struct crs_spawn_config *c, struct crs_child_failure *f);

/* seccomp_filter.c */
int child_load_seccomp(const struct crs_spawn_config *c, struct crs_child_failure *f);

/* console.c */
int child_setup_console(const struct crs_spawn_config *c, struct crs_child_failure *f);

#endif
