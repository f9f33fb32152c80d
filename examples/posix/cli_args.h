/* bmqtt-cli: command-line options (example code, not part of the library).
 * The names and meanings follow mosquitto_pub / mosquitto_sub where both have
 * an option; docs/CLI.md lists them with the exit codes. */
#ifndef BMQTT_CLI_ARGS_H
#define BMQTT_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli_proxy.h"
#include "cli_url.h"

typedef enum { CLI_PUB, CLI_SUB } cli_mode_t;

/* Exit codes (docs/CLI.md). 1..5 are also a CONNACK's refusal code, as mosquitto does. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,          /* usage, invalid value, file, TCP connect, DNS */
    CLI_EXIT_CONN_LOST = 7,      /* mosquitto's MOSQ_ERR_CONN_LOST */
    CLI_EXIT_TLS = 8,            /* MOSQ_ERR_TLS */
    CLI_EXIT_PROXY_AUTH = 11,    /* MOSQ_ERR_AUTH: --proxy refused the method, user or password */
    CLI_EXIT_PROXY = 16,         /* MOSQ_ERR_PROXY: --proxy answered with a failure */
    CLI_EXIT_SUB_DENIED = 12,    /* MOSQ_ERR_ACL_DENIED: every filter refused in the SUBACK */
    CLI_EXIT_MALFORMED = 21,     /* MOSQ_ERR_MALFORMED_PACKET: the broker broke MQTT */
    CLI_EXIT_TIMEOUT = 27,       /* MOSQ_ERR_TIMEOUT: -W, or no CONNACK in time */
    CLI_EXIT_NOT_MQTT = 40,      /* bmqtt-cli only: the server does not speak MQTT */
    CLI_EXIT_WS_HANDSHAKE = 41   /* bmqtt-cli only: the WebSocket handshake was refused (ws://, wss://) */
};

/* -1 from cli_parse: --help was printed, exit 0. */
#define CLI_HELP (-1)

typedef struct cli_args {
    cli_mode_t mode;
    const char *host;
    uint16_t port;
    int port_given;
    int host_given;
    const char *url;     /* -L / --url, as given */
    const char *unix_path; /* --unix: a Unix socket instead of -h/-p */
    const char *bind_addr; /* -A: connect from this local address */
    const char *proxy_url; /* --proxy socks5h://...: as given; parsed into proxy */
    cli_proxy_t proxy;
    cli_url_t to;        /* where to connect: from -L, or mqtt(s)://host:port from -h/-p and the TLS options */
    const char *client_id;
    const char *user;
    const char *password;
    uint16_t keepalive;
    uint8_t clean_session;
    const char **topics; /* -t, repeatable on sub (one SUBSCRIBE); argv strings */
    int topic_count;
    uint8_t qos;
    uint8_t retain;
    const char *will_topic;
    const char *will_payload; /* --will-payload (alias --will-message); absent: empty */
    uint8_t will_qos;
    uint8_t will_retain;
    /* pub */
    const char *message; /* -m */
    const char *file;    /* -f: the whole file is one message */
    int lines;           /* -l: each stdin line is one message, any length */
    int stdin_whole;     /* -s: all of stdin is one message */
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
    int no_newline;      /* -N (alias --raw): payload bytes only, no newline */
    size_t rx_size;      /* --rx-size: receive buffer bytes */
    int subscribe_only;  /* -E / --subscribe-only: subscribe, DISCONNECT, exit */
    int no_subscribe;    /* --no-subscribe: rely on the persistent session */
    int debug;           /* -d: every packet and event on stderr */
    const char *session_file; /* --session-file: the session survives a kill (cli_session.c) */
    /* TLS (port/mbedtls): any of these turns it on */
    const char *cafile;  /* --cafile: trusted CA(s), PEM or DER */
    const char *cert;    /* --cert: client certificate */
    const char *key;     /* --key: its private key */
    int insecure;        /* --insecure: as mosquitto's, no host-name check (the chain is verified) */
    const char *capath;  /* --capath: a directory of trusted CA files */
    int os_certs;        /* --tls-use-os-certs: the system's CA bundle (SSL_CERT_FILE) */
    const char *tls_version; /* --tls-version tlsv1.2 | tlsv1.3 */
    const char *ciphers; /* --ciphers: cipher suites, ':'-separated (OpenSSL or IANA names) */
    const char *alpn;    /* --alpn a,b: ALPN names, comma-separated (up to 5) */
    /* More of mosquitto_pub/sub's options (cli_args.c: mosq_option(), mosq_check()). */
    const char *format;    /* -F: sub's output format, escapes already turned into bytes */
    size_t format_len;
    int no_retained;       /* -R: do not print retained (stale) messages */
    const char **hide;     /* -T filter (repeatable): do not print messages matching it */
    int hide_count;
    const char **unsub;    /* -U filter (repeatable): UNSUBSCRIBE it after subscribing */
    int unsub_count;
    int remove_retained;   /* --remove-retained: clear every retained message received */
    int retained_only;     /* --retained-only: print retained messages, exit at the first live one */
    double repeat_delay_s; /* --repeat-delay: seconds between repeated messages (pub) */
    int version_given;     /* -V mqttv311 */
    const char *id_prefix; /* -I / --id-prefix: the client id is this prefix and the process id */
    int nodelay;           /* --nodelay: accepted; the POSIX port always sets TCP_NODELAY */
    int quiet;             /* --quiet: no error or warning lines on stderr once the options are read */
    double random_filter;  /* --random-filter: print a message with this likelihood, in percent (0: all) */
    int pretty;            /* --pretty: -F's %j and %J indented */
} cli_args_t;

/* 0 on success; CLI_HELP after --help; CLI_EXIT_ERROR after one line on stderr
 * for a bad command line or a value MQTT does not allow (checked before any
 * connection is made). */
int cli_parse(int argc, char **argv, cli_args_t *a);

/* The usage text, on @p out. */
void cli_usage(FILE *out);

#endif
