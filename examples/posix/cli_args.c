/* bmqtt-cli: command-line parsing (example code, not part of the library). */
#include "cli_args.h"

#include "bmqtt/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fputs("usage: bmqtt-cli pub [options] -t topic (-m message | -f file | -l | -n)\n"
          "       bmqtt-cli sub [options] -t filter [-C count] [-W seconds] [-v | --raw]\n"
          "\n"
          "  -h host          broker host name or address (default localhost)\n"
          "  -p port          broker port (default 1883)\n"
          "  -i id            client id (default bmqtt-cli-<pid>)\n"
          "  -u user -P pass  user name and password\n"
          "  -k seconds       keepalive (default 60, 0 disables)\n"
          "  -c               clean session 0: keep the session on the broker\n"
          "  -q qos           0, 1 or 2 (default 0)\n"
          "  --will-topic t --will-message m [--will-qos q] [--will-retain]\n"
          "  -d               print events on stderr\n"
          "  --cafile f --cert f --key f --insecure --alpn a,b   TLS (mbedTLS) to the broker\n"
          "pub:\n"
          "  -m message       the message\n"
          "  -f file          the whole file as one message (sent from memory, not copied)\n"
          "  -l               each line of stdin as a message\n"
          "  -n               an empty message\n"
          "  --retain         set the retain flag\n"
          "  --repeat N       publish the message N times\n"
          "  --interval-ms N  pause between messages\n"
          "  --inflight N     QoS 1/2 messages in flight at once (default 20)\n"
          "  --reconnect      on connection loss, reconnect and resume\n"
          "sub:\n"
          "  -C count         exit after count messages (default: never)\n"
          "  -W seconds       exit with status 3 if not done by then\n"
          "  --linger s       after count, keep receiving for s seconds (shows duplicates)\n"
          "  -v               print the topic before the payload\n"
          "  --raw            write payload bytes only, no newline\n"
          "  --rx-size N      receive buffer size (default 4096); larger messages arrive in chunks\n"
          "  --subscribe-only subscribe, disconnect, exit (with -c: leaves a session behind)\n"
          "  --no-subscribe   do not subscribe: use the session the broker kept (-c)\n",
          stderr);
}

static int num(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    if (s == NULL) {
        return -1;
    }
    v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse(int argc, char **argv, cli_args_t *a)
{
    int i;
    long v;

    memset(a, 0, sizeof *a);
    a->host = "localhost";
    a->port = 1883;
    a->keepalive = 60;
    a->clean_session = 1;
    a->inflight = 20;
    a->rx_size = 4096;
    a->repeat = 1;

    if (argc < 2) {
        usage();
        return 2;
    }
    /* The subcommand may come first or after options (bmqtt-cli -h host pub ...). */
    int have_mode = 0;
    for (i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!have_mode && (strcmp(o, "pub") == 0 || strcmp(o, "sub") == 0)) {
            a->mode = o[0] == 'p' ? CLI_PUB : CLI_SUB;
            have_mode = 1;
            takes = 0;
        } else if (strcmp(o, "-h") == 0 && arg) {
            a->host = arg;
        } else if (strcmp(o, "--cafile") == 0 && arg) {
            a->cafile = arg;
        } else if (strcmp(o, "--cert") == 0 && arg) {
            a->cert = arg;
        } else if (strcmp(o, "--key") == 0 && arg) {
            a->key = arg;
        } else if (strcmp(o, "--alpn") == 0 && arg) {
            a->alpn = arg;
        } else if (strcmp(o, "-p") == 0 && num(arg, 1, 65535, &v) == 0) {
            a->port = (uint16_t)v;
        } else if (strcmp(o, "-i") == 0 && arg) {
            a->client_id = arg;
        } else if (strcmp(o, "-u") == 0 && arg) {
            a->user = arg;
        } else if (strcmp(o, "-P") == 0 && arg) {
            a->password = arg;
        } else if (strcmp(o, "-k") == 0 && num(arg, 0, 65535, &v) == 0) {
            a->keepalive = (uint16_t)v;
        } else if (strcmp(o, "-t") == 0 && arg) {
            a->topic = arg;
        } else if (strcmp(o, "-q") == 0 && num(arg, 0, 2, &v) == 0) {
            a->qos = (uint8_t)v;
        } else if (strcmp(o, "-m") == 0 && arg) {
            a->message = arg;
        } else if (strcmp(o, "-f") == 0 && arg) {
            a->file = arg;
        } else if (strcmp(o, "--will-topic") == 0 && arg) {
            a->will_topic = arg;
        } else if (strcmp(o, "--will-message") == 0 && arg) {
            a->will_message = arg;
        } else if (strcmp(o, "--will-qos") == 0 && num(arg, 0, 2, &v) == 0) {
            a->will_qos = (uint8_t)v;
        } else if (strcmp(o, "--repeat") == 0 && num(arg, 1, 1000000000L, &v) == 0) {
            a->repeat = v;
        } else if (strcmp(o, "--interval-ms") == 0 && num(arg, 0, 3600000L, &v) == 0) {
            a->interval_ms = v;
        } else if (strcmp(o, "--inflight") == 0 && num(arg, 1, BMQTT_MAX_INFLIGHT, &v) == 0) {
            a->inflight = (unsigned)v;
        } else if (strcmp(o, "-C") == 0 && num(arg, 0, 1000000000L, &v) == 0) {
            a->count = v;
        } else if (strcmp(o, "-W") == 0 && arg && atof(arg) > 0) {
            a->timeout_s = atof(arg);
        } else if (strcmp(o, "--linger") == 0 && arg && atof(arg) >= 0) {
            a->linger_s = atof(arg);
        } else if (strcmp(o, "--rx-size") == 0 && num(arg, 64, 16L * 1024 * 1024, &v) == 0) {
            a->rx_size = (size_t)v;
        } else {
            takes = 0;
            if (strcmp(o, "-c") == 0) {
                a->clean_session = 0;
            } else if (strcmp(o, "-l") == 0) {
                a->lines = 1;
            } else if (strcmp(o, "-n") == 0) {
                a->null_message = 1;
            } else if (strcmp(o, "--retain") == 0 || strcmp(o, "-r") == 0) {
                a->retain = 1;
            } else if (strcmp(o, "--will-retain") == 0) {
                a->will_retain = 1;
            } else if (strcmp(o, "--reconnect") == 0) {
                a->reconnect = 1;
            } else if (strcmp(o, "-v") == 0) {
                a->verbose = 1;
            } else if (strcmp(o, "--raw") == 0) {
                a->raw = 1;
            } else if (strcmp(o, "--subscribe-only") == 0) {
                a->subscribe_only = 1;
            } else if (strcmp(o, "--no-subscribe") == 0) {
                a->no_subscribe = 1;
            } else if (strcmp(o, "-d") == 0) {
                a->debug = 1;
            } else if (strcmp(o, "--insecure") == 0) {
                a->insecure = 1;
            } else {
                fprintf(stderr, "bmqtt-cli: bad option or value: %s\n", o);
                usage();
                return 2;
            }
        }
        i += takes;
    }

    if (!have_mode) {
        usage();
        return 2;
    }
    if (a->topic == NULL && !(a->mode == CLI_SUB && a->no_subscribe)) {
        fputs("bmqtt-cli: -t topic is needed\n", stderr);
        return 2;
    }
    if (a->mode == CLI_PUB && (a->message != NULL) + (a->file != NULL) + a->lines + a->null_message != 1) {
        fputs("bmqtt-cli: pub needs exactly one of -m, -f, -l, -n\n", stderr);
        return 2;
    }
    if ((a->will_topic == NULL) != (a->will_message == NULL)) {
        fputs("bmqtt-cli: --will-topic and --will-message go together\n", stderr);
        return 2;
    }
    if ((a->cert == NULL) != (a->key == NULL)) {
        fputs("bmqtt-cli: --cert and --key go together\n", stderr);
        return 2;
    }
    if (a->password != NULL && a->user == NULL) {
        fputs("bmqtt-cli: -P needs -u\n", stderr);
        return 2;
    }
    return 0;
}
