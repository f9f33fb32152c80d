/* URL form of the command line (mosquitto_pub's -L): parse
 * mqtt:// mqtts:// ws:// wss:// URLs and stack the transports they name
 * (WebSocket over TLS over TCP for wss) on the POSIX port.
 *
 *   scheme://[user[:password]@]host[:port][/path]
 *
 * For mqtt:// and mqtts:// the path is the topic, as in mosquitto_pub -L
 * (mqtt://host/sensors/1 -> topic "sensors/1"); for ws:// and wss:// it is
 * the WebSocket request target (the topic then comes from -t).
 * tcp:// and ssl:// are accepted for mqtt:// and mqtts:// (mosquitto's names).
 * Default ports 1883, 8883, 80, 443; a WebSocket path defaults to "/mqtt"
 * (mosquitto takes any path; RabbitMQ wants "/ws"). IPv6 literals go in
 * brackets: ws://[::1]:8080/mqtt. */
#ifndef CLI_URL_H
#define CLI_URL_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/transport.h"
#include "bmqtt_posix.h"
#include "bmqtt_tls.h"
#include "cli_proxy.h"
#include "bmqtt_ws.h"

typedef enum { CLI_URL_MQTT = 0, CLI_URL_MQTTS, CLI_URL_WS, CLI_URL_WSS } cli_url_scheme_t;

typedef struct cli_url {
    cli_url_scheme_t scheme;
    char host[256];
    uint16_t port;        /* the one to connect to (explicit or the scheme's default) */
    uint8_t port_given;   /* 1: the URL named a port */
    char path[512];       /* WebSocket request target; "" for mqtt/mqtts */
    char user[128];       /* "" when none */
    char password[128];   /* "" when none */
    char topic[256];      /* mqtt(s)://host/topic (mosquitto_pub -L); "" when none */
    uint8_t has_user, has_password, has_topic;
} cli_url_t;

/* 0 and *out filled, or -1 with a reason in err. */
int cli_url_parse(const char *url, cli_url_t *out, char *err, size_t err_size);

/* 1 for mqtts and wss. */
int cli_url_is_tls(const cli_url_t *u);

/* The transports of one connection, owned by the caller (static: it is large). */
typedef struct cli_stack {
    bmqtt_posix_t sock;
    bmqtt_transport_t tcp, tls_tr, ws_tr;
    bmqtt_tls_t tls;
    bmqtt_tls_config_t tls_cfg;
    bmqtt_ws_t ws;
    bmqtt_ws_config_t ws_cfg;
    uint8_t ws_tx[1460];
    uint8_t ws_rx[2048];
    uint8_t use_tls, use_ws, tls_ready, ws_ready, sock_ready;
    /* Set by the caller before cli_stack_open(): */
    const char *unix_path;     /* --unix: a Unix socket instead of TCP to u's host and port */
    const char *bind_addr;     /* -A: the local address TCP connects from (NULL: any) */
    const cli_proxy_t *proxy;  /* --proxy: TCP to the proxy, then a SOCKS5 tunnel to u's host and port */
    /* How the proxy failed (cli_proxy_connect()), when it did: */
    cli_proxy_error_t proxy_error;
    char proxy_why[600];
} cli_stack_t;

/*
 * Connect TCP to u's host and port (at most timeout_ms; or s->unix_path, or
 * through s->proxy: then proxy_error and proxy_why say how it failed), then stack TLS
 * (mqtts, wss: tls_template's CA / certificate / ALPN / insecure; its host
 * NULL means the URL's host) and WebSocket (ws, wss) on it. *top receives
 * the transport to give to bmqtt_client_connect(); the TLS and WebSocket
 * handshakes run inside the client's polls. Call it again to reconnect
 * (contexts are reset, certificates kept). extra_headers: NULL or whole
 * "Name: value\r\n" lines for the WebSocket request.
 * Returns BMQTT_OK or the first failure (BMQTT_ERR_DNS, BMQTT_ERR_CONNECT,
 * BMQTT_ERR_PARAM for a bad TLS configuration...).
 */
bmqtt_status_t cli_stack_open(cli_stack_t *s, const cli_url_t *u, const bmqtt_tls_config_t *tls_template,
                              const char *extra_headers, uint32_t timeout_ms, bmqtt_transport_t *top);

/* Sleep until the socket is readable (writable with want_write) for at most ms,
 * unless a layer already holds bytes to deliver. Masked bytes waiting in the
 * WebSocket layer want writable; once the upgrade request is out and the 101
 * not in, only readable counts (the client's CONNECT waits for the 101). */
void cli_stack_wait(cli_stack_t *s, int want_write, uint32_t ms);

/* 1 when st (from bmqtt_client_poll) ended the connection before MQTT could
 * start: TCP, TLS or WebSocket handshake. An exit status can tell these apart. */
int cli_stack_handshake_failed(const cli_stack_t *s, bmqtt_status_t st);

/* Close the socket and release TLS memory. A failed cli_stack_open() leaves no
 * socket open either. */
void cli_stack_free(cli_stack_t *s);

#endif /* CLI_URL_H */
