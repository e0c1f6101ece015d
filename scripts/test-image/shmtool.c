/* shmtool: SysV shared memory for tests (busybox has no ipcmk).
 *   shmtool create KEY TEXT   creates a segment for KEY holding TEXT, prints its id
 *   shmtool read KEY          prints the text of KEY's segment; exit 1 when there is none */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: shmtool create KEY TEXT | shmtool read KEY\n");
        return 2;
    }
    key_t key = (key_t)strtol(argv[2], NULL, 0);
    if (strcmp(argv[1], "create") == 0 && argc == 4) {
        int id = shmget(key, 4096, IPC_CREAT | 0600);
        if (id < 0) { perror("shmget"); return 1; }
        char *mem = shmat(id, NULL, 0);
        if (mem == (void *)-1) { perror("shmat"); return 1; }
        strncpy(mem, argv[3], 4095);
        shmdt(mem);
        printf("%d\n", id);
        return 0;
    }
    if (strcmp(argv[1], "read") == 0) {
        int id = shmget(key, 0, 0);
        if (id < 0) { perror("shmget"); return 1; }
        char *mem = shmat(id, NULL, SHM_RDONLY);
        if (mem == (void *)-1) { perror("shmat"); return 1; }
        printf("%s\n", mem);
        return 0;
    }
    fprintf(stderr, "shmtool: unknown command %s\n", argv[1]);
    return 2;
}
