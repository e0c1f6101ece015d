#ifdef __linux__
#include "crs_sys.h"
#include "spawn_child.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Raw syscalls throughout: glibc's setuid family broadcasts to every thread it knows, and
 * after clone() from a threaded parent it still "knows" the parent's threads. libcap
 * allocates. Neither is safe here. */

static int drop_bounding(uint64_t keep, struct crs_child_failure *f) {
    int last = crs_cap_last_cap();
    for (int cap = 0; cap <= last && cap < 64; cap++) {
        if (keep & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
            char name[16];
            snprintf(name, sizeof(name), "%d", cap);
            return child_fail(f, "drop bounding capability", name, errno);
        }
    }
    return 0;
}

int child_set_user(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    /* Dropping from the bounding set needs CAP_SETPCAP, which a non-root uid loses. */
    if (c->set_capabilities && drop_bounding(c->cap_bounding, f) < 0) return -1;
    if (syscall(SYS_setgroups, c->additional_gids_count, c->additional_gids) < 0) {
        return child_fail(f, "setgroups", "process.user.additionalGids", errno);
    }
    if (syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0) {
        return child_fail(f, "setgid", "process.user.gid", errno);
    }
    if (c->uid != 0) {
        /* Keep the permitted set across the uid change; capset restores the rest. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return child_fail(f, "prctl", "keepcaps", errno);
    }
    if (syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0) {
        return child_fail(f, "setuid", "process.user.uid", errno);
    }
    if (c->uid != 0) (void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    return 0;
}

int child_set_capabilities(const struct crs_spawn_config *c, struct crs_child_failure *f) {
    if (!c->set_capabilities) return 0;
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t)(c->cap_effective >> (32 * i));
        data[i].permitted = (uint32_t)(c->cap_permitted >> (32 * i));
        data[i].inheritable = (uint32_t)(c->cap_inheritable >> (32 * i));
    }
    if (syscall(SYS_capset, &header, data) < 0) {
        return child_fail(f, "capset", "process.capabilities", errno);
    }
    (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (int cap = 0; cap < 64; cap++) {
        if (!(c->cap_ambient & (1ULL << cap))) continue;
        /* As runc: an ambient capability not also permitted and inheritable is skipped. */
        (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
    }
    return 0;
}
#endif
