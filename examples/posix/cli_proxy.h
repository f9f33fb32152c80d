/* bmqtt-cli --proxy: MQTT through a SOCKS5 proxy (RFC 1928), with user name
 * and password authentication (RFC 1929) when the URL has them.
 *
 *   socks5h://[user[:password]@]host[:port]     (port 1080 when absent)
 *
 * As mosquitto's clients, only socks5h: the proxy resolves the broker's name
 * (the CONNECT request carries the name, never an address looked up here).
 * The handshake runs once the TCP connection to the proxy is up and before
 * TLS or WebSocket start: they, and MQTT, then run through the tunnel. */
#ifndef CLI_PROXY_H
#define CLI_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/status.h"
#include "bmqtt_posix.h"

typedef struct cli_proxy {
    char host[256];
    uint16_t port;
    char user[256];     /* RFC 1929: at most 255 bytes each */
    char password[256];
    uint8_t has_user;
} cli_proxy_t;

/* How the last cli_proxy_connect() failed, for the exit code (docs/CLI.md). */
typedef enum {
    CLI_PROXY_OK = 0,
    CLI_PROXY_UNREACHABLE, /* no TCP connection to the proxy (exit 1, as a broker's) */
    CLI_PROXY_AUTH,        /* the proxy wants another method, or refused the user and password (exit 11) */
    CLI_PROXY_FAILED       /* the proxy answered with a failure, or not in SOCKS5 (exit 16) */
} cli_proxy_error_t;

/* 0 and *out filled, or -1 with a reason in err. */
int cli_proxy_parse(const char *url, cli_proxy_t *out, char *err, size_t err_size);

/*
 * Connect @p sock to the proxy (from bind_addr unless NULL), then ask it for a tunnel to host:port, all
 * within timeout_ms. On failure the socket is closed, *why holds a sentence
 * (the SOCKS5 reply's meaning when there was one) and the return is
 * BMQTT_ERR_CONNECT (BMQTT_ERR_DNS when the proxy's own name did not resolve).
 */
bmqtt_status_t cli_proxy_connect(bmqtt_posix_t *sock, const cli_proxy_t *p, const char *bind_addr, const char *host,
                                 uint16_t port, uint32_t timeout_ms, cli_proxy_error_t *kind, char *why,
                                 size_t why_size);

#endif /* CLI_PROXY_H */
