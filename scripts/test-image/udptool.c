/* udptool: a UDP peer for tests (busybox's nc has no UDP).
 *   udptool serve PORT TEXT    answers every datagram on PORT (all addresses) with TEXT
 *   udptool ask HOST PORT      sends one datagram to HOST:PORT, prints the answer;
 *                              exit 1 when none comes within a second */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int serve(int port, const char *text) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("udptool: bind"); return 1; }
    for (;;) {
        char buf[512];
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        if (recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &len) < 0) continue;
        sendto(fd, text, strlen(text), 0, (struct sockaddr *)&peer, len);
    }
}

static int ask(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (fd < 0 || inet_pton(AF_INET, host, &addr.sin_addr) != 1) { fprintf(stderr, "udptool: bad host %s\n", host); return 2; }
    struct timeval timeout = {.tv_sec = 1};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (sendto(fd, "?", 1, 0, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("udptool: sendto"); return 1; }
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    if (n < 0) { perror("udptool: recv"); return 1; }
    buf[n] = 0;
    printf("%s\n", buf);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "serve") == 0) return serve(atoi(argv[2]), argv[3]);
    if (argc == 4 && strcmp(argv[1], "ask") == 0) return ask(argv[2], atoi(argv[3]));
    fprintf(stderr, "usage: udptool serve PORT TEXT | udptool ask HOST PORT\n");
    return 2;
}
