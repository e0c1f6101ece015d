// Small syscall and macro re-exports Swift cannot reach directly.
#ifndef CRS_SYS_H
#define CRS_SYS_H

#include <sys/types.h>

/// prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are reparented to the caller.
int crs_set_child_subreaper(void);

/// The highest capability number the running kernel knows (/proc/sys/kernel/cap_last_cap).
int crs_cap_last_cap(void);

/// O_PATH (a _GNU_SOURCE macro Swift does not see).
extern const int CRS_O_PATH;

/// F_OFD_GETLK, F_OFD_SETLK: open-file-description record locks (_GNU_SOURCE too).
extern const int CRS_F_OFD_GETLK;
extern const int CRS_F_OFD_SETLK;

/// pipe2(fds, O_CLOEXEC).
int crs_pipe_cloexec(int fds[2]);

/// Receives one fd passed with SCM_RIGHTS on a unix socket (the console-socket protocol);
/// returns it (CLOEXEC), or -1 with errno set.
int crs_recv_fd(int sock);

#endif
