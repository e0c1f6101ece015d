#ifdef __linux__
#include "CTLS.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

const int CTLS_ERR_CONNECT = 1;
const int CTLS_ERR_NOT_TLS = 2;
const int CTLS_ERR_VERIFY = 3;
const int CTLS_ERR_TLS = 4;

struct ctls_context {
    SSL_CTX *ssl;
};

struct ctls_conn {
    int fd;
    SSL *ssl;
};

static void openssl_message(char *err, size_t errlen, const char *what) {
    unsigned long code = ERR_get_error();
    char reason[256] = "unknown error";
    if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
    snprintf(err, errlen, "%s: %s", what, reason);
    ERR_clear_error();
}

ctls_context *ctls_context_new(const char *ca_file, int verify, char *err, size_t errlen) {
    SSL_CTX *ssl = SSL_CTX_new(TLS_client_method());
    if (ssl == NULL) {
        openssl_message(err, errlen, "tls context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ssl, TLS1_2_VERSION);
    if (verify) {
        SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER, NULL);
        if (SSL_CTX_set_default_verify_paths(ssl) != 1) {
            openssl_message(err, errlen, "system CA store");
            SSL_CTX_free(ssl);
            return NULL;
        }
        if (ca_file != NULL && SSL_CTX_load_verify_locations(ssl, ca_file, NULL) != 1) {
            openssl_message(err, errlen, ca_file);
            SSL_CTX_free(ssl);
            return NULL;
        }
    } else {
        SSL_CTX_set_verify(ssl, SSL_VERIFY_NONE, NULL);
    }
    ctls_context *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) {
        SSL_CTX_free(ssl);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ctx->ssl = ssl;
    return ctx;
}

void ctls_context_free(ctls_context *ctx) {
    if (ctx == NULL) return;
    SSL_CTX_free(ctx->ssl);
    free(ctx);
}

static int tcp_connect(const char *host, const char *port, int timeout_ms, char *err, size_t errlen) {
    struct addrinfo hints = {0}, *list = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &list);
    if (rc != 0) {
        snprintf(err, errlen, "lookup %s: %s", host, gai_strerror(rc));
        return -1;
    }
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        // SO_SNDTIMEO also bounds connect(2) on Linux.
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd < 0) {
        snprintf(err, errlen, "dial tcp %s:%s: %s", host, port,
                 saved == EINPROGRESS || saved == EAGAIN ? "connection timed out" : strerror(saved));
    }
    return fd;
}

ctls_conn *ctls_connect(ctls_context *ctx, const char *host, const char *port, int timeout_ms, int *kind,
                        char *err, size_t errlen) {
    *kind = CTLS_ERR_CONNECT;
    int fd = tcp_connect(host, port, timeout_ms, err, errlen);
    if (fd < 0) return NULL;
    ctls_conn *conn = calloc(1, sizeof *conn);
    if (conn == NULL) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    conn->fd = fd;
    if (ctx == NULL) return conn;

    SSL *ssl = SSL_new(ctx->ssl);
    if (ssl == NULL) {
        openssl_message(err, errlen, "tls");
        *kind = CTLS_ERR_TLS;
        ctls_close(conn);
        return NULL;
    }
    conn->ssl = ssl;
    SSL_set_fd(ssl, fd);
    unsigned char addr[16];
    int is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
    if (is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
    } else {
        SSL_set_tlsext_host_name(ssl, host);
        SSL_set1_host(ssl, host);
    }
    ERR_clear_error();
    if (SSL_connect(ssl) != 1) {
        unsigned long code = ERR_peek_error();
        long verify = SSL_get_verify_result(ssl);
        int reason = ERR_GET_REASON(code);
        if (verify != X509_V_OK) {
            *kind = CTLS_ERR_VERIFY;
            snprintf(err, errlen, "tls: failed to verify certificate of %s: %s", host,
                     X509_verify_cert_error_string(verify));
            ERR_clear_error();
        } else if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG || code == 0) {
            *kind = CTLS_ERR_NOT_TLS;
            snprintf(err, errlen, "tls: %s:%s did not answer the TLS handshake (plain HTTP?)", host, port);
            ERR_clear_error();
        } else {
            *kind = CTLS_ERR_TLS;
            openssl_message(err, errlen, "tls handshake");
        }
        ctls_close(conn);
        return NULL;
    }
    return conn;
}

ssize_t ctls_read(ctls_conn *conn, void *buf, size_t len, char *err, size_t errlen) {
    if (conn->ssl == NULL) {
        for (;;) {
            ssize_t n = read(conn->fd, buf, len);
            if (n >= 0) return n;
            if (errno == EINTR) continue;
            snprintf(err, errlen, "read: %s", errno == EAGAIN ? "timed out" : strerror(errno));
            return -1;
        }
    }
    size_t got = 0;
    ERR_clear_error();
    int rc = SSL_read_ex(conn->ssl, buf, len, &got);
    if (rc == 1) return (ssize_t)got;
    int code = SSL_get_error(conn->ssl, rc);
    if (code == SSL_ERROR_ZERO_RETURN) return 0;
    // A peer that closes without close_notify: treat as end of stream; the HTTP framing
    // (Content-Length, chunked) tells truncation apart.
    if (code == SSL_ERROR_SYSCALL && errno == 0) return 0;
    if (code == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ERR_clear_error();
        return 0;
    }
    if (code == SSL_ERROR_SYSCALL) {
        snprintf(err, errlen, "read: %s", errno == EAGAIN ? "timed out" : strerror(errno));
        return -1;
    }
    openssl_message(err, errlen, "tls read");
    return -1;
}

int ctls_write_all(ctls_conn *conn, const void *buf, size_t len, char *err, size_t errlen) {
    const char *p = buf;
    while (len > 0) {
        if (conn->ssl == NULL) {
            ssize_t n = write(conn->fd, p, len);
            if (n < 0) {
                if (errno == EINTR) continue;
                snprintf(err, errlen, "write: %s", errno == EAGAIN ? "timed out" : strerror(errno));
                return -1;
            }
            p += n;
            len -= (size_t)n;
        } else {
            size_t done = 0;
            ERR_clear_error();
            if (SSL_write_ex(conn->ssl, p, len, &done) != 1) {
                openssl_message(err, errlen, "tls write");
                return -1;
            }
            p += done;
            len -= done;
        }
    }
    return 0;
}

void ctls_close(ctls_conn *conn) {
    if (conn == NULL) return;
    if (conn->ssl != NULL) SSL_free(conn->ssl);
    if (conn->fd >= 0) close(conn->fd);
    free(conn);
}
#endif
