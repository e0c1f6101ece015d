// Detached helper processes: the agent starts each container's monitor as a daemon in its
// own session, so the monitor (and the container under it) outlives the agent.
#ifndef CRS_DAEMON_H
#define CRS_DAEMON_H

#include <sys/types.h>

/// Starts `path` with `argv`/`envp` as a daemon: fork, setsid in the child, fork again so
/// the daemon is nobody's child but init's (or the nearest subreaper's). stdin, stdout and
/// stderr become /dev/null; every other fd is closed on exec except `keep_fd` (-1 for
/// none). Returns the daemon's pid, or -1 with errno set (from fork, or from execve as the
/// daemon saw it).
pid_t crs_spawn_daemon(const char *path, char *const argv[], char *const envp[], int keep_fd);

#endif
