#ifdef __linux__
#include "crs_seccomp.h"
#include "spawn_child.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

const int CRS_SECCOMP_ACT_KILL_THREAD = 1;
const int CRS_SECCOMP_ACT_KILL_PROCESS = 2;
const int CRS_SECCOMP_ACT_TRAP = 3;
const int CRS_SECCOMP_ACT_ERRNO = 4;
const int CRS_SECCOMP_ACT_TRACE = 5;
const int CRS_SECCOMP_ACT_ALLOW = 6;
const int CRS_SECCOMP_ACT_LOG = 7;

static int to_scmp_action(int action, uint32_t value, uint32_t *out) {
    switch (action) {
    case 1: *out = SCMP_ACT_KILL_THREAD; return 0;
    case 2: *out = SCMP_ACT_KILL_PROCESS; return 0;
    case 3: *out = SCMP_ACT_TRAP; return 0;
    case 4: *out = SCMP_ACT_ERRNO(value); return 0;
    case 5: *out = SCMP_ACT_TRACE(value); return 0;
    case 6: *out = SCMP_ACT_ALLOW; return 0;
    case 7: *out = SCMP_ACT_LOG; return 0;
    default: errno = EINVAL; return -1;
    }
}

static int compile(scmp_filter_ctx ctx, const char *const *arches, size_t arches_count,
                   const struct crs_seccomp_rule *rules, size_t rules_count, uint32_t default_action,
                   const char **failed) {
    static char what[96];
    for (size_t i = 0; i < arches_count; i++) {
        uint32_t arch = seccomp_arch_resolve_name(arches[i]);
        snprintf(what, sizeof(what), "architecture %s", arches[i]);
        if (arch == 0) { *failed = what; errno = EINVAL; return -1; }
        int rc = seccomp_arch_add(ctx, arch);
        if (rc < 0 && rc != -EEXIST) { *failed = what; errno = -rc; return -1; }
    }
    for (size_t i = 0; i < rules_count; i++) {
        const struct crs_seccomp_rule *r = &rules[i];
        int nr = seccomp_syscall_resolve_name(r->syscall);
        if (nr == __NR_SCMP_ERROR) continue; /* unknown on these architectures: as runc, skip */
        uint32_t action;
        snprintf(what, sizeof(what), "syscall %s", r->syscall);
        if (to_scmp_action(r->action, r->action_value, &action) < 0) { *failed = what; return -1; }
        if (action == default_action) continue; /* libseccomp refuses a rule equal to the default */
        if (r->args_count > 6) { *failed = what; errno = E2BIG; return -1; }
        struct scmp_arg_cmp cmp[6];
        for (size_t j = 0; j < r->args_count; j++) {
            cmp[j].arg = r->args[j].index;
            cmp[j].op = (enum scmp_compare)r->args[j].op;
            cmp[j].datum_a = r->args[j].value;
            cmp[j].datum_b = r->args[j].value_two;
        }
        int rc = seccomp_rule_add_array(ctx, action, nr, (unsigned int)r->args_count, cmp);
        if (rc < 0) { *failed = what; errno = -rc; return -1; }
    }
    return 0;
}

int crs_seccomp_compile(int default_action, uint32_t default_value, const char *const *arches,
                        size_t arches_count, const struct crs_seccomp_rule *rules, size_t rules_count,
                        void **out, size_t *out_len, const char **failed) {
    *out = NULL;
    *out_len = 0;
    *failed = "defaultAction";
    uint32_t def;
    if (to_scmp_action(default_action, default_value, &def) < 0) return -1;
    scmp_filter_ctx ctx = seccomp_init(def);
    if (ctx == NULL) { errno = EINVAL; return -1; }
    int result = -1;
    if (compile(ctx, arches, arches_count, rules, rules_count, def, failed) == 0) {
        *failed = "export";
        int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
        if (fd >= 0) {
            int rc = seccomp_export_bpf(ctx, fd);
            if (rc < 0) {
                errno = -rc;
            } else {
                off_t size = lseek(fd, 0, SEEK_END);
                void *buf = size > 0 ? malloc((size_t)size) : NULL;
                if (buf != NULL && pread(fd, buf, (size_t)size, 0) == size) {
                    *out = buf;
                    *out_len = (size_t)size;
                    result = 0;
                } else {
                    free(buf);
                    if (errno == 0) errno = EIO;
                }
            }
            int err = errno;
            close(fd);
            errno = err;
        }
    }
    int err = errno;
    seccomp_release(ctx);
    errno = err;
    return result;
}

const char *crs_seccomp_version(void) {
    static char text[32];
    const struct scmp_version *v = seccomp_version();
    snprintf(text, sizeof(text), "%u.%u.%u", v->major, v->minor, v->micro);
    return text;
}

/* Child side: load the pre-compiled program. Only a syscall. */
int child_load_seccomp(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    if (c->seccomp_bpf == NULL || c->seccomp_bpf_len == 0) return 0;
    struct sock_fprog prog = {
        .len = (unsigned short)(c->seccomp_bpf_len / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)c->seccomp_bpf,
    };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
        return child_fail(f, "seccomp", "linux.seccomp", errno);
    }
    return 0;
}
#endif
