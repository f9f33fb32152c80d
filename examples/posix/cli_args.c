/* bmqtt-cli: command-line parsing and checks (example code, not part of the library).
 *
 * Every value MQTT would refuse is refused here, before a connection is made,
 * in one line that names the value and the rule: the topic rules come from the
 * codec's own checks (bmqtt/topic.h), so the CLI and the wire agree. */
#include "cli_args.h"

#include "bmqtt/config.h"
#include "bmqtt/topic.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MQTT_STRING_MAX 65535u /* a UTF-8 string or binary field [MQTT-1.5.3] */

void cli_usage(FILE *out)
{
    fputs("usage: bmqtt-cli pub [options] -t topic (-m message | -f file | -l | -s | -n)\n"
          "       bmqtt-cli sub [options] -t filter [-t filter ...] [-C count] [-W seconds] [-v] [-N]\n"
          "       bmqtt-cli --help\n"
          "\n"
          "Options as in mosquitto_pub / mosquitto_sub:\n"
          "  -h host          broker host name or address (default localhost)\n"
          "  -p port          broker port (default 1883, 8883 with TLS)\n"
          "  -L URL           instead of -h/-p: scheme://[user[:password]@]host[:port][/path]\n"
          "                   mqtt:// (1883) and mqtts:// (8883): the path is the topic (-t wins);\n"
          "                   ws:// (80) and wss:// (443): MQTT over WebSocket, the path is the\n"
          "                   request target (default /mqtt); -u/-P win over the URL's user:password\n"
          "  -i id            client id, up to 65535 bytes (default bmqtt-cli-<pid>)\n"
          "  -I prefix        client id: prefix followed by the process id (not with -i)\n"
          "  -u user -P pass  user name and password\n"
          "  -k seconds       keepalive, 0..65535 (default 60, 0 disables)\n"
          "  -c               clean session 0: keep the session on the broker\n"
          "  -q qos           0, 1 or 2 (default 0)\n"
          "  -t topic         pub: the topic (one); sub: a filter (repeatable: one SUBSCRIBE)\n"
          "  -d               print every packet sent and received, and events, on stderr\n"
          "  --will-topic t [--will-payload m] [--will-qos q] [--will-retain]\n"
          "  --cafile f --cert f --key f --insecure   TLS (mbedTLS) to the broker (with -L: mqtts://, wss://)\n"
          "  --capath dir     trusted CAs: the certificate files in dir (with or besides --cafile)\n"
          "  --tls-use-os-certs  trust the system's CA bundle (SSL_CERT_FILE, else\n"
          "                   /etc/ssl/certs/ca-certificates.crt)\n"
          "  --insecure       do not check that the certificate names the host (the chain is checked)\n"
          "  --tls-version v  tlsv1.2 or tlsv1.3 only     --ciphers list  cipher suites, ':'-separated\n"
          "  -A address       connect from this local address (picks the interface)\n"
          "  --unix path      connect to a broker's Unix socket instead of -h/-p (plain MQTT)\n"
          "  --proxy url      through a SOCKS5 proxy: socks5h://[user[:password]@]host[:port] (port 1080)\n"
          "  --nodelay        accepted: TCP_NODELAY is always set\n"
          "  --quiet          no error or warning lines on stderr (a bad command line is still said)\n"
          "  --help           this text\n"
          "pub:\n"
          "  -m message       the message\n"
          "  -f file          the whole file as one message (sent from memory, not copied)\n"
          "  -l               each line of stdin as a message, any length\n"
          "  -s               all of stdin as one message\n"
          "  -n               an empty message\n"
          "  -r, --retain     set the retain flag\n"
          "sub:\n"
          "  -C count         exit after count messages (default: never)\n"
          "  -W seconds       exit with code 27 if not done by then\n"
          "  -v               print the topic, a space, then the payload\n"
          "  -N               no newline after the payload (alias --raw)\n"
          "  -E               exit once the SUBACK is in (alias --subscribe-only)\n"
          "  -F format        print each message as format says: %t topic, %p payload, %q QoS, %r retain,\n"
          "                   %l length, %m message id, %x/%X payload in hex, %I ISO time, %U Unix time,\n"
          "                   %j JSON, %J JSON with a JSON payload, %% a percent sign; @Y @m @d @H @M @S ...\n"
          "                   strftime's %Y..., @N nanoseconds, @@ an @; \\n \\t \\\\ ... escapes\n"
          "  --pretty         -F's %j and %J indented, on several lines\n"
          "  --random-filter c  print a message with likelihood c percent (0.1..100)\n"
          "  -R               do not print retained (stale) messages\n"
          "  -T filter        do not print messages matching filter (repeatable)\n"
          "  -U filter        unsubscribe from filter after subscribing (repeatable)\n"
          "  --remove-retained  clear each retained message received (an empty retained PUBLISH)\n"
          "  --retained-only  print retained messages only; exit at the first live one\n"
          "  -V mqttv311      the protocol version: MQTT 3.1.1 is the only one bmqtt speaks\n"
          "pub, also:\n"
          "  --repeat N [--repeat-delay s]   publish the message N times, s seconds apart\n"
          "bmqtt-cli only:\n"
          "  --alpn a,b       TLS ALPN names (mosquitto's --tls-alpn takes one)\n"
          "  --repeat N       pub: publish the message N times\n"
          "  --interval-ms N  pub: pause between messages\n"
          "  --inflight N, -M pub: QoS 1/2 messages in flight at once (default 20, mosquitto's QoS 2 limit)\n"
          "  --reconnect      on connection loss, reconnect and resume\n"
          "  --linger s       sub: after -C, keep receiving for s seconds (shows duplicates)\n"
          "  --rx-size N      sub: receive buffer size (default 4096); larger messages arrive in chunks\n"
          "  --no-subscribe   sub: do not subscribe: use the session the broker kept (-c)\n"
          "  --session-file f keep the session in file f (with -c -i): a bmqtt-cli killed and started\n"
          "                   again resends what was unacknowledged, prints a QoS 2 message once\n"
          "\n"
          "Exit codes: 0 done; 1 bad command line or value, file, DNS or TCP connect error;\n"
          "  1..5 the broker refused the CONNECT with that CONNACK code (5: not authorized);\n"
          "  7 connection lost; 8 TLS error; 11 the proxy refused the credentials; 12 every\n"
          "  subscription refused; 16 the proxy failed (its SOCKS5 reply is named); 21 the broker sent\n"
          "  a malformed packet or WebSocket frame; 27 timed out (-W, or no CONNACK); 40 not an\n"
          "  MQTT server; 41 WebSocket handshake refused (ws://, wss://: an HTTP status other\n"
          "  than 101, or a bad upgrade answer).\n",
          out);
}

static int fail(const char *fmt, const char *s1, const char *s2)
{
    fputs("bmqtt-cli: ", stderr);
    fprintf(stderr, fmt, s1, s2);
    fputc('\n', stderr);
    return CLI_EXIT_ERROR;
}

static int num(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    if (s == NULL || *s == '\0') return -1;
    v = strtol(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int seconds(const char *s, double *out)
{
    char *end;
    double v;
    if (s == NULL || *s == '\0') return -1;
    v = strtod(s, &end);
    if (*end != '\0' || !(v >= 0) || v > 86400.0 * 365) return -1;
    *out = v;
    return 0;
}

/* @p t for an error line: control bytes (and every byte above 0x7f when @p t is
 * not UTF-8) as \xNN, cut after 200 bytes. */
static const char *shown(const char *t)
{
    static char out[4 * 200 + 8];
    size_t o = 0, n = strlen(t);
    int utf8 = bmqtt_utf8_check((const uint8_t *)t, n) == BMQTT_OK;
    for (size_t i = 0; i < n && i < 200; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", c);
        else out[o++] = (char)c;
    }
    if (n > 200) o += (size_t)snprintf(out + o, sizeof out - o, "...");
    out[o] = '\0';
    return out;
}

/* Why @p t is not a topic name (filter == 0) or filter, or NULL when it is one. */
static const char *topic_problem(const char *t, int filter)
{
    size_t n = strlen(t);
    bmqtt_status_t st;
    const char *hash;
    if (n == 0) return "a topic has at least one character [MQTT-4.7.3-1]";
    if (n > MQTT_STRING_MAX) return "longer than 65535 bytes";
    st = filter ? bmqtt_topic_filter_check((const uint8_t *)t, n) : bmqtt_topic_name_check((const uint8_t *)t, n);
    if (st == BMQTT_OK) return NULL;
    if (st == BMQTT_ERR_BAD_UTF8) return "not valid UTF-8 [MQTT-1.5.3-1]";
    if (!filter) return "'+' and '#' are for subscriptions, not for a topic to publish to [MQTT-3.3.2-2]";
    hash = strchr(t, '#');
    if (hash != NULL && (hash[1] != '\0' || (hash != t && hash[-1] != '/')))
        return "'#' must be the whole last level [MQTT-4.7.1-2]";
    return "'+' must be a whole level [MQTT-4.7.1-3]";
}

static int check_string(const char *what, const char *s)
{
    if (s == NULL) return 0;
    if (strlen(s) > MQTT_STRING_MAX) return fail("%s is longer than the 65535 bytes MQTT allows%s", what, "");
    if (bmqtt_utf8_check((const uint8_t *)s, strlen(s)) != BMQTT_OK)
        return fail("%s is not valid UTF-8 [MQTT-1.5.3-1]%s", what, "");
    return 0;
}

static int check_qos(const char *what, const char *v, uint8_t *out)
{
    long q;
    if (num(v, 0, 2, &q) != 0) return fail("invalid %sQoS %s: must be 0, 1 or 2", what, v);
    *out = (uint8_t)q;
    return 0;
}

/* mosquitto's long names for the short options. */
static const char *alias(const char *o)
{
    static const char *const names[][2] = {
        { "--host", "-h" },       { "--port", "-p" },         { "--id", "-i" },
        { "--username", "-u" },   { "--pw", "-P" },           { "--keepalive", "-k" },
        { "--qos", "-q" },        { "--topic", "-t" },        { "--message", "-m" },
        { "--file", "-f" },       { "--stdin-line", "-l" },   { "--stdin-file", "-s" },
        { "--null-message", "-n" }, { "--debug", "-d" },      { "--disable-clean-session", "-c" },
        { "--tls-alpn", "--alpn" }, { "--url", "-L" },   { "-M", "--inflight" },
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (strcmp(o, names[k][0]) == 0) return names[k][1];
    }
    return o;
}

static int takes_value(const char *o)
{
    static const char *const valued[] = { "-h", "-p", "-L", "-i", "-u", "-P", "-k", "-q", "-t", "-m", "-f", "-C", "-W",
                                          "--will-topic", "--will-payload", "--will-message", "--will-qos",
                                          "--cafile", "--cert", "--key", "--alpn",
                                          "--capath", "--tls-version", "--ciphers", "--repeat", "--interval-ms",
                                          "--inflight", "--linger", "--rx-size", "--session-file", "--unix", "-A",
                                          "--proxy" };
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
        if (strcmp(o, valued[k]) == 0) return 1;
    }
    return 0;
}

/* Where to connect, in a->to: the -L URL (its user, password and topic unless
 * -u, -P, -t say otherwise), or mqtt(s)://host:port from -h and -p. */
static int where_to(cli_args_t *a)
{
    char why[128];
    int tls_opt = a->cafile || a->cert || a->key || a->insecure || a->alpn || a->capath || a->os_certs ||
                  a->tls_version || a->ciphers;
    int trust = a->cafile || a->capath || a->os_certs;

    if (a->bind_addr != NULL) {
        /* Resolved here, so that a name of no local address is told apart from the broker's. */
        struct addrinfo hints, *res = NULL;
        int rc;
        memset(&hints, 0, sizeof hints);
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE;
        if ((rc = getaddrinfo(a->bind_addr, NULL, &hints, &res)) != 0)
            return fail("invalid -A address '%s': %s", shown(a->bind_addr), gai_strerror(rc));
        freeaddrinfo(res);
    }
    if (a->proxy_url != NULL) {
        if (a->unix_path != NULL) return fail("--proxy and --unix contradict each other%s%s", "", "");
        if (cli_proxy_parse(a->proxy_url, &a->proxy, why, sizeof why) != 0)
            return fail("invalid --proxy '%s': %s", shown(a->proxy_url), why);
    }
    if (a->unix_path != NULL) {
        /* A local socket carries plain MQTT: there is no host for TLS or WebSocket to name. */
        if (a->url || a->host_given || a->port_given) return fail("--unix names where to connect: give --unix or -h/-p/-L, not both%s%s", "", "");
        if (tls_opt) return fail("--unix carries plain MQTT: the TLS options need -h/-p or -L%s%s", "", "");
        if (a->bind_addr) return fail("-A binds a TCP connection: not with --unix%s%s", "", "");
        if (a->unix_path[0] == '\0' || strlen(a->unix_path) >= 108)
            return fail("invalid --unix path '%s': must be 1..107 bytes%s", shown(a->unix_path), "");
    }
    if (a->url == NULL) {
        /* mosquitto's --insecure skips only the host-name check: it needs CAs to check the chain. */
        if (tls_opt && !trust)
            return fail("TLS needs --cafile, --capath or --tls-use-os-certs to check the broker%s%s",
                        a->insecure ? " (--insecure skips only the host-name check)" : "", "");
        if (!a->port_given && tls_opt) a->port = 8883;
        if (strlen(a->host) >= sizeof a->to.host) return fail("invalid host '%s': longer than 255 bytes%s", shown(a->host), "");
        memset(&a->to, 0, sizeof a->to);
        a->to.scheme = tls_opt ? CLI_URL_MQTTS : CLI_URL_MQTT;
        memcpy(a->to.host, a->host, strlen(a->host) + 1);
        a->to.port = a->port;
        a->to.port_given = (uint8_t)a->port_given;
        return 0;
    }
    if (a->host_given || a->port_given) return fail("-L names the host and port: give -L or -h/-p, not both%s%s", "", "");
    if (cli_url_parse(a->url, &a->to, why, sizeof why) != 0) return fail("invalid URL '%s': %s", shown(a->url), why);
    a->host = a->to.host;
    a->port = a->to.port;
    if (a->user == NULL && a->to.has_user) a->user = a->to.user;
    if (a->password == NULL && a->to.has_password) a->password = a->to.password;
    if (a->topic_count == 0 && a->to.has_topic) a->topics[a->topic_count++] = a->to.topic;
    if (cli_url_is_tls(&a->to)) {
        if (!trust)
            return fail("%s needs --cafile, --capath or --tls-use-os-certs to check the broker%s", a->to.scheme == CLI_URL_WSS ? "wss://" : "mqtts://", "");
    } else if (tls_opt) {
        return fail("the TLS options need mqtts:// or wss:// in -L, not %s%s", a->to.scheme == CLI_URL_WS ? "ws://" : "mqtt://", "");
    }
    return 0;
}

/* ---- mosquitto_pub/sub options beyond the first set ------------------------------------- */

/* -F: mosquitto's escapes (\\ \0 \a \e \n \r \t \v) become bytes now; the % and @ specifiers
 * are checked here and expanded per message (cli_format.c). Those of MQTT 5 properties (%A %C %D %E
 * %F %P %R %S) expand to nothing, as mosquitto prints an absent property. */
static int mosq_format(const char *f, cli_args_t *a)
{
    size_t n = strlen(f), o = 0;
    char *out = malloc(n + 1);
    if (out == NULL) return fail("out of memory%s%s", "", "");
    for (size_t i = 0; i < n; i++) {
        char c = f[i];
        if (c == '\\' && i + 1 < n) {
            static const char from[] = "\\0aenrtv", to[] = "\\\0\a\033\n\r\t\v";
            const char *k = strchr(from, f[i + 1]);
            if (k != NULL && f[i + 1] != '\0') {
                out[o++] = to[k - from];
                i++;
                continue;
            }
        } else if (c == '%') {
            char s = i + 1 < n ? f[i + 1] : '\0';
            if (s == '\0' || strchr("%tpqrlmxXIUjJACDEFPRS", s) == NULL) {
                char spec[3] = { '%', s, '\0' };
                free(out);
                return fail("-F: unknown format specifier '%s'%s", spec, "");
            }
            out[o++] = c;
            out[o++] = s;
            i++;
            continue;
        } else if (c == '@') {
            /* @X: strftime's %X for any X (@N nanoseconds, @@ an @); the X is taken as it is,
             * a backslash too, as mosquitto does. */
            if (i + 1 == n) {
                free(out);
                return fail("-F: '@' at the end: an @ specifier needs a character after it%s%s", "", "");
            }
            out[o++] = c;
            out[o++] = f[++i];
            continue;
        }
        out[o++] = c;
    }
    a->format = out;
    a->format_len = o;
    return 0;
}

/* fail(), for functions whose error is -1. */
static int refuse(const char *fmt, const char *s1, const char *s2)
{
    (void)fail(fmt, s1, s2);
    return -1;
}

/* 0: not one of these; 1: a flag; 2: an option that took @p arg; -1: refused (printed). */
static int mosq_option(const char *o, const char *arg, cli_args_t *a, const char **pub_only, const char **sub_only)
{
    int valued = strcmp(o, "-F") == 0 || strcmp(o, "-T") == 0 || strcmp(o, "-U") == 0 ||
                 strcmp(o, "--repeat-delay") == 0 || strcmp(o, "-V") == 0 || strcmp(o, "--protocol-version") == 0 ||
                 strcmp(o, "-I") == 0 || strcmp(o, "--id-prefix") == 0 || strcmp(o, "--random-filter") == 0;
    const char *val = arg != NULL ? arg : "";
    if (valued && arg == NULL) return refuse("option %s needs a value%s", o, "");
    if (strcmp(o, "-R") == 0) a->no_retained = 1, *sub_only = o;
    else if (strcmp(o, "--remove-retained") == 0) a->remove_retained = 1, *sub_only = o;
    else if (strcmp(o, "--retained-only") == 0) a->retained_only = 1, *sub_only = o;
    else if (strcmp(o, "-F") == 0) {
        if (a->format != NULL) free((void *)a->format);
        if (mosq_format(val, a) != 0) return -1;
        *sub_only = o;
    } else if (strcmp(o, "-T") == 0 || strcmp(o, "-U") == 0) {
        const char **list = o[1] == 'T' ? a->hide : a->unsub;
        int *count = o[1] == 'T' ? &a->hide_count : &a->unsub_count;
        const char *bad = topic_problem(val, 1);
        if (bad != NULL) return refuse("invalid filter '%s': %s", shown(val), bad);
        list[(*count)++] = val;
        *sub_only = o;
    } else if (strcmp(o, "--repeat-delay") == 0) {
        if (seconds(val, &a->repeat_delay_s) != 0)
            return refuse("invalid --repeat-delay '%s': must be seconds, 0 or more%s", arg, "");
        *pub_only = o;
    } else if (strcmp(o, "-V") == 0 || strcmp(o, "--protocol-version") == 0) {
        /* mosquitto's names; bmqtt speaks MQTT 3.1.1 only. */
        if (strcmp(val, "mqttv311") == 0 || strcmp(val, "311") == 0) a->version_given = 1;
        else if (strcmp(val, "mqttv31") == 0 || strcmp(val, "31") == 0 || strcmp(val, "mqttv5") == 0 || strcmp(val, "5") == 0)
            return refuse("-V %s: bmqtt-cli speaks MQTT 3.1.1 only (-V mqttv311)%s", val, "");
        else return refuse("Invalid protocol version argument given: -V %s (mqttv311)%s", shown(val), "");
    } else if (strcmp(o, "-I") == 0 || strcmp(o, "--id-prefix") == 0) {
        a->id_prefix = val; /* the id is made in cli_parse(), once -i and -c are known */
    } else if (strcmp(o, "--nodelay") == 0) {
        a->nodelay = 1;
    } else if (strcmp(o, "--quiet") == 0) {
        a->quiet = 1;
    } else if (strcmp(o, "--pretty") == 0) {
        a->pretty = 1, *sub_only = o;
    } else if (strcmp(o, "--random-filter") == 0) {
        /* The man page's range, in percent (2.0.11 takes up to 1000 and prints a tenth: docs/CLI.md). */
        char *end;
        double v = strtod(val, &end);
        if (*val == '\0' || *end != '\0' || !(v >= 0.1 && v <= 100.0))
            return refuse("invalid --random-filter '%s': the chance is a percentage, 0.1 to 100%s", shown(val), "");
        a->random_filter = v;
        *sub_only = o;
    } else return 0;
    return valued ? 2 : 1;
}

/* -I prefix: the client id is the prefix and the process id, as mosquitto's "%s%d". With -i it
 * is an error, and -c still wants an id of its own (-i), as mosquitto says. */
static int id_from_prefix(cli_args_t *a)
{
    static char *id;
    size_t n;
    if (a->id_prefix == NULL) return 0;
    if (a->client_id != NULL) return fail("-i and -I cannot be used together%s%s", "", "");
    if (!a->clean_session) return fail("You must provide a client id if you are using the -c option%s%s", "", "");
    n = strlen(a->id_prefix) + 24;
    free(id);
    if ((id = malloc(n)) == NULL) return fail("out of memory%s%s", "", "");
    snprintf(id, n, "%s%ld", a->id_prefix, (long)getpid());
    a->client_id = id;
    return 0;
}

/* Checks across options, as mosquitto makes them. */
static int mosq_check(cli_args_t *a, int argc)
{
    (void)argc;
    if (!a->clean_session && a->client_id == NULL)
        return fail("You must provide a client id if you are using the -c option%s%s", "", "");
    if (a->repeat_delay_s > 0 && a->repeat <= 1)
        return fail("--repeat-delay needs --repeat%s%s", "", "");
    return 0;
}

int cli_parse(int argc, char **argv, cli_args_t *a)
{
    static const char *no_topics[1];
    const char *pub_only = NULL, *sub_only = NULL, *bad;
    int have_mode = 0, i, r2;
    long v;

    memset(a, 0, sizeof *a);
    a->host = "localhost";
    a->port = 1883;
    a->keepalive = 60;
    a->clean_session = 1;
    a->inflight = 20;
    a->rx_size = 4096;
    a->repeat = 1;
    a->topics = no_topics;

    if (argc < 2) {
        cli_usage(stderr);
        return CLI_EXIT_ERROR;
    }
    /* Every -t may be a topic: a table as long as the command line holds them all. */
    a->topics = calloc((size_t)argc, sizeof(char *));
    a->hide = calloc((size_t)argc, sizeof(char *));
    a->unsub = calloc((size_t)argc, sizeof(char *));
    if (a->topics == NULL || a->hide == NULL || a->unsub == NULL) return fail("out of memory%s%s", "", "");

    /* The subcommand may come first or after options (bmqtt-cli -h host pub ...). */
    for (i = 1; i < argc; i++) {
        const char *o = alias(argv[i]);
        const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1, r = 0;

        if (!have_mode && (strcmp(o, "pub") == 0 || strcmp(o, "sub") == 0)) {
            a->mode = o[0] == 'p' ? CLI_PUB : CLI_SUB;
            have_mode = 1;
            continue;
        }
        if (strcmp(o, "--help") == 0) {
            cli_usage(stdout);
            return CLI_HELP;
        }
        /* mosquitto's options handled in mosq_option(): 1 a flag, 2 one with a value. */
        if ((r2 = mosq_option(o, arg, a, &pub_only, &sub_only)) != 0) {
            if (r2 < 0) return CLI_EXIT_ERROR;
            if (r2 == 2) i++;
            continue;
        }
        /* Options without a value. */
        takes = 0;
        if (strcmp(o, "-c") == 0) a->clean_session = 0;
        else if (strcmp(o, "-d") == 0) a->debug = 1;
        else if (strcmp(o, "--insecure") == 0) a->insecure = 1;
        else if (strcmp(o, "--tls-use-os-certs") == 0) a->os_certs = 1;
        else if (strcmp(o, "--will-retain") == 0) a->will_retain = 1;
        else if (strcmp(o, "--reconnect") == 0) a->reconnect = 1;
        else if (strcmp(o, "-l") == 0) a->lines = 1, pub_only = o;
        else if (strcmp(o, "-s") == 0) a->stdin_whole = 1, pub_only = o;
        else if (strcmp(o, "-n") == 0) a->null_message = 1, pub_only = o;
        else if (strcmp(o, "-r") == 0 || strcmp(o, "--retain") == 0) a->retain = 1, pub_only = o;
        else if (strcmp(o, "-v") == 0) a->verbose = 1, sub_only = o;
        else if (strcmp(o, "-N") == 0 || strcmp(o, "--raw") == 0) a->no_newline = 1, sub_only = o;
        else if (strcmp(o, "-E") == 0 || strcmp(o, "--subscribe-only") == 0) a->subscribe_only = 1, sub_only = o;
        else if (strcmp(o, "--no-subscribe") == 0) a->no_subscribe = 1, sub_only = o;
        else takes = 1;
        if (!takes) continue;

        /* Options with a value. */
        if (o[0] != '-') return fail("unexpected argument '%s' (bmqtt-cli --help lists the options)%s", o, "");
        if (!takes_value(o)) return fail("unknown option '%s' (bmqtt-cli --help lists the options)%s", o, "");
        if (arg == NULL) return fail("option %s needs a value%s", o, "");
        if (strcmp(o, "-h") == 0) a->host = arg, a->host_given = 1;
        else if (strcmp(o, "-L") == 0) a->url = arg;
        else if (strcmp(o, "-p") == 0) {
            if (num(arg, 1, 65535, &v) != 0) return fail("invalid port '%s': must be 1..65535%s", arg, "");
            a->port = (uint16_t)v;
            a->port_given = 1;
        } else if (strcmp(o, "-i") == 0) a->client_id = arg;
        else if (strcmp(o, "-u") == 0) a->user = arg;
        else if (strcmp(o, "-P") == 0) a->password = arg;
        else if (strcmp(o, "-k") == 0) {
            if (num(arg, 0, 65535, &v) != 0) return fail("invalid keepalive '%s': must be 0..65535 seconds%s", arg, "");
            a->keepalive = (uint16_t)v;
        } else if (strcmp(o, "-q") == 0) r = check_qos("", arg, &a->qos);
        else if (strcmp(o, "-t") == 0) a->topics[a->topic_count++] = arg;
        else if (strcmp(o, "--will-topic") == 0) a->will_topic = arg;
        else if (strcmp(o, "--will-payload") == 0 || strcmp(o, "--will-message") == 0) a->will_payload = arg;
        else if (strcmp(o, "--will-qos") == 0) r = check_qos("will ", arg, &a->will_qos);
        else if (strcmp(o, "--cafile") == 0) a->cafile = arg;
        else if (strcmp(o, "--capath") == 0) a->capath = arg;
        else if (strcmp(o, "--tls-version") == 0) a->tls_version = arg;
        else if (strcmp(o, "--ciphers") == 0) a->ciphers = arg;
        else if (strcmp(o, "--cert") == 0) a->cert = arg;
        else if (strcmp(o, "--key") == 0) a->key = arg;
        else if (strcmp(o, "--alpn") == 0) a->alpn = arg;
        else if (strcmp(o, "--unix") == 0) a->unix_path = arg;
        else if (strcmp(o, "-A") == 0) a->bind_addr = arg;
        else if (strcmp(o, "--proxy") == 0) a->proxy_url = arg;
        else if (strcmp(o, "-m") == 0) a->message = arg, pub_only = o;
        else if (strcmp(o, "-f") == 0) a->file = arg, pub_only = o;
        else if (strcmp(o, "--repeat") == 0) {
            if (num(arg, 1, 1000000000L, &v) != 0) return fail("invalid --repeat '%s': must be 1..1000000000%s", arg, "");
            a->repeat = v;
            pub_only = o;
        } else if (strcmp(o, "--interval-ms") == 0) {
            if (num(arg, 0, 3600000L, &v) != 0) return fail("invalid --interval-ms '%s': must be 0..3600000%s", arg, "");
            a->interval_ms = v;
            pub_only = o;
        } else if (strcmp(o, "--inflight") == 0) {
            if (num(arg, 1, BMQTT_MAX_INFLIGHT, &v) != 0 || v > 256)
                return fail("invalid --inflight '%s': must be 1..256 (and at most BMQTT_MAX_INFLIGHT)%s", arg, "");
            a->inflight = (unsigned)v;
            pub_only = o;
        } else if (strcmp(o, "-C") == 0) {
            if (num(arg, 1, 1000000000L, &v) != 0) return fail("invalid message count '%s': must be 1..1000000000%s", arg, "");
            a->count = v;
            sub_only = o;
        } else if (strcmp(o, "-W") == 0) {
            if (seconds(arg, &a->timeout_s) != 0 || a->timeout_s <= 0)
                return fail("invalid timeout '%s': must be a number of seconds above 0%s", arg, "");
            sub_only = o;
        } else if (strcmp(o, "--linger") == 0) {
            if (seconds(arg, &a->linger_s) != 0) return fail("invalid --linger '%s': must be seconds, 0 or more%s", arg, "");
            sub_only = o;
        } else if (strcmp(o, "--session-file") == 0) {
            a->session_file = arg;
        } else if (strcmp(o, "--rx-size") == 0) {
            if (num(arg, 64, 16L * 1024 * 1024, &v) != 0) return fail("invalid --rx-size '%s': must be 64..16777216%s", arg, "");
            a->rx_size = (size_t)v;
            sub_only = o;
        }
        if (r != 0) return r;
        i++;
    }

    if (!have_mode) return fail("say pub or sub (bmqtt-cli --help lists the options)%s%s", "", "");
    if ((r2 = id_from_prefix(a)) != 0) return r2;
    if (a->mode == CLI_PUB && sub_only) return fail("%s is an option of sub, not pub%s", sub_only, "");
    if (a->mode == CLI_SUB && pub_only) return fail("%s is an option of pub, not sub%s", pub_only, "");

    if ((r2 = where_to(a)) != 0) return r2;

    /* Topics: the codec's rules, before anything touches the network. */
    if (a->topic_count == 0 && !(a->mode == CLI_SUB && a->no_subscribe)) return fail("-t topic is needed%s%s", "", "");
    if (a->mode == CLI_PUB && a->topic_count > 1) return fail("pub publishes to one topic: -t is given more than once%s%s", "", "");
    for (i = 0; i < a->topic_count; i++) {
        if (a->topics[i] == NULL) return fail("-t needs a topic%s%s", "", "");
        if ((bad = topic_problem(a->topics[i], a->mode == CLI_SUB)) != NULL)
            return fail("invalid topic '%s': %s", shown(a->topics[i]), bad);
    }
    if (a->will_topic != NULL && (bad = topic_problem(a->will_topic, 0)) != NULL)
        return fail("invalid will topic '%s': %s", shown(a->will_topic), bad);
    if (a->will_topic == NULL && (a->will_payload || a->will_qos || a->will_retain))
        return fail("--will-payload, --will-qos and --will-retain need --will-topic%s%s", "", "");
    if (a->will_payload != NULL && strlen(a->will_payload) > MQTT_STRING_MAX)
        return fail("the will payload is longer than the 65535 bytes MQTT allows%s%s", "", "");

    if (a->mode == CLI_PUB &&
        (a->message != NULL) + (a->file != NULL) + a->lines + a->stdin_whole + a->null_message != 1)
        return fail("pub needs exactly one of -m, -f, -l, -s, -n%s%s", "", "");

    /* CONNECT fields. */
    if (check_string("the client id (-i)", a->client_id) || check_string("the user name (-u)", a->user))
        return CLI_EXIT_ERROR;
    if (a->password != NULL && strlen(a->password) > MQTT_STRING_MAX)
        return fail("the password is longer than the 65535 bytes MQTT allows%s%s", "", "");
    if (a->client_id != NULL && a->client_id[0] == '\0' && !a->clean_session)
        return fail("an empty client id needs a clean session (drop -c) [MQTT-3.1.3-7]%s%s", "", "");
    if (a->password != NULL && a->user == NULL) return fail("-P needs -u (MQTT 3.1.1 sends no password without a user name)%s%s", "", "");
    if ((a->cert == NULL) != (a->key == NULL)) return fail("--cert and --key go together%s%s", "", "");
    if (a->session_file != NULL && (a->clean_session || a->client_id == NULL))
        return fail("--session-file needs -c and -i: the broker keeps its side of the session under that id%s%s", "", "");
    if (a->mode == CLI_SUB && a->no_subscribe && a->subscribe_only)
        return fail("--no-subscribe and -E contradict each other%s%s", "", "");
    return mosq_check(a, argc);
}
