// CTLS: a TCP connection, optionally wrapped in TLS (OpenSSL), for the registry client's
// small HTTP/1.1 client. C because SNI, hostname checks and error codes are OpenSSL macros.
#ifndef CTLS_H
#define CTLS_H

#include <stddef.h>
#include <sys/types.h>

/// Trust settings shared by connections: the system CAs plus an optional PEM bundle.
typedef struct ctls_context ctls_context;
/// One connection (plain TCP or TLS).
typedef struct ctls_conn ctls_conn;

/// Failure kinds returned through `kind` by ctls_connect.
extern const int CTLS_ERR_CONNECT;   // DNS or TCP
extern const int CTLS_ERR_NOT_TLS;   // the peer answered the handshake with something else (plain HTTP)
extern const int CTLS_ERR_VERIFY;    // certificate not trusted or not for this host
extern const int CTLS_ERR_TLS;       // any other handshake failure

/// A context trusting the system store and `ca_file` (PEM, may be NULL); `verify` 0 skips
/// verification. Returns NULL with a message in `err`.
ctls_context *ctls_context_new(const char *ca_file, int verify, char *err, size_t errlen);
void ctls_context_free(ctls_context *ctx);

/// Connects to host:port (TLS when ctx is not NULL, with SNI and a host or IP check).
/// `timeout_ms` bounds connect and each later read or write. Returns NULL with `kind` and
/// a message in `err`.
ctls_conn *ctls_connect(ctls_context *ctx, const char *host, const char *port, int timeout_ms, int *kind,
                        char *err, size_t errlen);
/// Reads up to len bytes: >0 bytes read, 0 at end of stream, -1 with a message in `err`.
ssize_t ctls_read(ctls_conn *conn, void *buf, size_t len, char *err, size_t errlen);
/// Writes all bytes: 0, or -1 with a message in `err`.
int ctls_write_all(ctls_conn *conn, const void *buf, size_t len, char *err, size_t errlen);
void ctls_close(ctls_conn *conn);

#endif
