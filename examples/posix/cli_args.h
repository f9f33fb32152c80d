/* bmqtt-cli: command-line options (example code, not part of the library). */
#ifndef BMQTT_CLI_ARGS_H
#define BMQTT_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

typedef enum { CLI_PUB, CLI_SUB } cli_mode_t;

typedef struct cli_args {
    cli_mode_t mode;
    const char *host;
    uint16_t port;
    const char *client_id;
    const char *user;
    const char *password;
    uint16_t keepalive;
    uint8_t clean_session;
    const char *topic;
    uint8_t qos;
    uint8_t retain;
    const char *will_topic;
    const char *will_message;
    uint8_t will_qos;
    uint8_t will_retain;
    /* pub */
    const char *message; /* -m */
    const char *file;    /* -f: the whole file is one message */
    int lines;           /* -l: each stdin line is one message */
    int null_message;    /* -n: zero-length message */
    long repeat;         /* --repeat N */
    long interval_ms;    /* --interval-ms: pause between messages */
    int reconnect;       /* --reconnect: reconnect (clean session as given) on connection loss */
    unsigned inflight;   /* --inflight: size of the in-flight table */
    /* sub */
    long count;          /* -C: exit after this many messages (0: never) */
    double timeout_s;    /* -W: give up after this many seconds */
    double linger_s;     /* --linger: after -C is reached, keep receiving this long */
    int verbose;         /* -v: print "topic payload" */
    int raw;             /* --raw: payload bytes only, no newline */
    size_t rx_size;      /* --rx-size: receive buffer bytes */
    int subscribe_only;  /* --subscribe-only: subscribe, DISCONNECT, exit */
    int no_subscribe;    /* --no-subscribe: rely on the persistent session */
    int debug;           /* -d: events on stderr */
    /* TLS (port/mbedtls): any of these turns it on */
    const char *cafile;  /* --cafile: trusted CA(s), PEM or DER */
    const char *cert;    /* --cert: client certificate */
    const char *key;     /* --key: its private key */
    int insecure;        /* --insecure: do not verify the server */
    const char *alpn;    /* --alpn a,b: ALPN names, comma-separated (up to 5) */
} cli_args_t;

/* 0 on success; prints usage and returns 2 on a bad command line. */
int cli_parse(int argc, char **argv, cli_args_t *a);

#endif
