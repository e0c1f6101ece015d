// Detached helper processes: the agent starts each container's monitor as a daemon in its
// own session, so the monitor (and the container under it) outlives the agent.
#ifndef CRS_DAEMON_H
#define CRS_DAEMON_H

#include <sys/types.h>

/// Starts `path` with `argv`/`envp` as a daemon: fork, setsid in the child, fork again so
/// the daemon is nobody's child but init's (or the nearest subreaper's). stdin, stdout and
/// stderr become /dev/null; every other fd is closed on exec except `keep_fd` and
/// `keep_fd2` (-1 for none). Returns the daemon's pid, or -1 with errno set (from fork, or from execve as the
/// daemon saw it).
pid_t crs_spawn_daemon(const char *path, char *const argv[], char *const envp[], int keep_fd, int keep_fd2);

/// Starts the holder of a pod's shared PID namespace (shareProcessNamespace): a process that
/// is PID 1 of a new PID namespace, in its own session, reaping orphans and otherwise
/// sleeping until killed. Returns its pid in the caller's namespace (its
/// /proc/<pid>/ns/pid is what containers join), or -1 with errno set.
pid_t crs_spawn_pid_namespace_holder(void);

#endif
