/* escapetool: escape attempts for the reliability tests, built static and bind-mounted into
 * a pod. Each prints "ok" when the kernel allowed the attempt, else the errno name, and
 * exits 0 only on success.
 *   escapetool initmodule        init_module(2) with a garbage image
 *   escapetool finitmodule FILE  finit_module(2) on FILE
 *   escapetool ptrace PID        PTRACE_ATTACH to PID
 *   escapetool userns            unshare(CLONE_NEWUSER)
 *   escapetool mount             mount(2) of a tmpfs on /tmp */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int report(long result) {
    if (result == 0) {
        puts("ok");
        return 0;
    }
    printf("%s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "unknown");
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: escapetool initmodule|finitmodule FILE|ptrace PID|userns|mount\n");
        return 2;
    }
    if (strcmp(argv[1], "initmodule") == 0) {
        static char image[4096] = "\177ELF not really a module";
        return report(syscall(SYS_init_module, image, sizeof image, ""));
    }
    if (strcmp(argv[1], "finitmodule") == 0 && argc == 3) {
        int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
        if (fd < 0) return report(-1);
        return report(syscall(SYS_finit_module, fd, "", 0));
    }
    if (strcmp(argv[1], "ptrace") == 0 && argc == 3) {
        pid_t pid = (pid_t)strtol(argv[2], NULL, 10);
        long result = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
        if (result == 0) {
            waitpid(pid, NULL, 0);
            ptrace(PTRACE_DETACH, pid, NULL, NULL);
        }
        return report(result);
    }
    if (strcmp(argv[1], "userns") == 0) return report(unshare(CLONE_NEWUSER));
    if (strcmp(argv[1], "mount") == 0) return report(mount("none", "/tmp", "tmpfs", 0, NULL));
    fprintf(stderr, "escapetool: unknown command %s\n", argv[1]);
    return 2;
}
