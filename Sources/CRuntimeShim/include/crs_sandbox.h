// Pod sandboxes: namespaces created once and pinned by bind-mounting their nsfs files,
// as CRI-O's pinns does, so every container of the pod can join them by path.
#ifndef CRS_SANDBOX_H
#define CRS_SANDBOX_H

#include <sys/types.h>

/// Namespace kinds that can be pinned, as bits for crs_pin_namespaces.
extern const int CRS_PIN_NET;
extern const int CRS_PIN_IPC;
extern const int CRS_PIN_UTS;

/// Creates the namespaces named by `kinds` (CRS_PIN_* bits) in a short-lived child,
/// sets the UTS hostname when a UTS namespace is created, and bind-mounts each new
/// namespace onto the matching existing target file (net_path, ipc_path, uts_path;
/// NULL for kinds not asked). Returns 0, or -1 with errno set and nothing left mounted.
/// On failure *failed_stage names the step: "unshare", "sethostname" or "mount".
int crs_pin_namespaces(int kinds, const char *hostname, const char *net_path,
                       const char *ipc_path, const char *uts_path, const char **failed_stage);

#endif
