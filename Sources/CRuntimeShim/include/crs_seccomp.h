// Seccomp: libseccomp compiles an OCI profile to classic BPF in the parent; the child only
// loads the bytes (libseccomp allocates, which a cloned child of a threaded process must not).
#ifndef CRS_SECCOMP_H
#define CRS_SECCOMP_H

#include <stddef.h>
#include <stdint.h>

/// Actions, matching OCI's SCMP_ACT_* names.
extern const int CRS_SECCOMP_ACT_KILL_THREAD;
extern const int CRS_SECCOMP_ACT_KILL_PROCESS;
extern const int CRS_SECCOMP_ACT_TRAP;
extern const int CRS_SECCOMP_ACT_ERRNO;
extern const int CRS_SECCOMP_ACT_TRACE;
extern const int CRS_SECCOMP_ACT_ALLOW;
extern const int CRS_SECCOMP_ACT_LOG;

/// Argument comparison operators (SCMP_CMP_NE ... SCMP_CMP_MASKED_EQ) as 1...7.
struct crs_seccomp_arg {
    unsigned int index;
    int op;
    uint64_t value;
    uint64_t value_two;
};

/// One rule: a syscall by name, an action (CRS_SECCOMP_ACT_*) with its errno/trace value,
/// and up to 6 argument comparisons.
struct crs_seccomp_rule {
    const char *syscall;
    int action;
    uint32_t action_value;
    const struct crs_seccomp_arg *args;
    size_t args_count;
};

/// Compiles a filter. `arches` are libseccomp arch names without the SCMP_ARCH_ prefix
/// ("x86_64", "x86", "x32"); unknown syscall names are skipped (as runc does). On success
/// *out is a malloc'd struct sock_filter array of *out_len bytes (free it). Returns 0, or
/// -1 with errno set and *failed naming the step ("arch x32", "rule socket", "export").
int crs_seccomp_compile(int default_action, uint32_t default_value,
                        const char *const *arches, size_t arches_count,
                        const struct crs_seccomp_rule *rules, size_t rules_count,
                        void **out, size_t *out_len, const char **failed);

/// libseccomp's version as "major.minor.micro" (part of the compiled-filter cache key).
const char *crs_seccomp_version(void);

#endif
