/*
 * bmqtt-at: an ESP-AT MQTT modem on a PC. The interpreter of include/bmqtt/at.h
 * on stdin/stdout or on a serial device / pseudo-terminal (--tty PATH), over
 * POSIX sockets, with TLS through port/mbedtls for schemes 2-5.
 *
 * stdout carries nothing but the UART's bytes; diagnostics go to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bmqtt/at.h"
#include "bmqtt_posix.h"
#include "bmqtt_tls.h"
#include "bmqtt_ws.h"

#include "at_station.h"

#define RX_SIZE 1024u
#define RAW_SIZE (256u * 1024u)

static uint8_t tx_buf[8192], rx_buf[RX_SIZE], outbox[32768], raw_buf[RAW_SIZE];
static bmqtt_inflight_t inflight[16];
static uint16_t qos2_ids[16];
static bmqtt_at_t at;

static int in_fd = 0, out_fd = 1;
static const char *ca_file, *cert_file, *key_file;
static uint8_t *ca_pem, *cert_pem, *key_pem;
static size_t ca_len, cert_len, key_len;

static bmqtt_posix_t sock;
static bmqtt_transport_t tcp_tr, tls_tr, ws_tr;
static bmqtt_tls_t tls;
/* The TLS session of the last connection, offered on the next one (AT+MQTTCONN again, or
 * reconnect=1): a resumed handshake instead of a full one when the server still knows it. A
 * modem on a part would keep these bytes in retained RAM to resume after a reset as well. */
static uint8_t tls_session[1024];
static size_t tls_session_len;
static bmqtt_ws_t ws;
static uint8_t ws_tx[4096], ws_rx[4096];
static int tls_used;
static at_station_t station = { "127.0.0.1", "127.0.0.1", "255.0.0.0", "02:00:00:00:00:02", "bmqtt-sim" };

static void uart_write(void *user, const uint8_t *buf, size_t len)
{
    (void)user;
    while (len > 0u) {
        ssize_t n = write(out_fd, buf, len);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

static int load(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f;
    long n;
    if (path == NULL) {
        return 0;
    }
    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "bmqtt-at: cannot read %s: %s\n", path, strerror(errno));
        if (f != NULL) {
            fclose(f);
        }
        return -1;
    }
    *buf = malloc((size_t)n + 1u); /* the program's own memory; the library allocates nothing */
    if (*buf == NULL || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return -1;
    }
    (*buf)[n] = 0;
    *len = (size_t)n + 1u; /* PEM: mbedTLS counts the NUL */
    fclose(f);
    return 0;
}

static int ws_random(void *ctx, unsigned char *out, size_t len)
{
    FILE *f = fopen("/dev/urandom", "rb");
    size_t n = f != NULL ? fread(out, 1, len, f) : 0u;
    (void)ctx;
    if (f != NULL) {
        fclose(f);
    }
    return n == len ? 0 : -1;
}

/* The WebSocket handshake over @p lower (TCP or TLS), within the connect's time. */
static bmqtt_status_t ws_open(const bmqtt_at_open_t *req, const bmqtt_transport_t *lower, uint32_t start,
                              const bmqtt_transport_t **tr)
{
    static bmqtt_ws_config_t wc;
    bmqtt_status_t st;
    memset(&wc, 0, sizeof wc);
    wc.host = req->host;
    wc.port = req->port;
    wc.path = req->path[0] != '\0' ? req->path : "/";
    wc.tx_buf = ws_tx;
    wc.tx_size = sizeof ws_tx;
    wc.rx_buf = ws_rx;
    wc.rx_size = sizeof ws_rx;
    wc.random = ws_random;
    wc.crypto = &bmqtt_ws_crypto_mbedtls;
    bmqtt_ws_init(&ws);
    st = bmqtt_ws_setup(&ws, &wc, lower);
    while (st == BMQTT_OK) {
        st = bmqtt_ws_handshake(&ws);
        if (st != BMQTT_WOULD_BLOCK) {
            break;
        }
        if (bmqtt_posix_now_ms() - start > req->timeout_ms) {
            st = BMQTT_ERR_TIMEOUT;
            break;
        }
        if (!(tls_used && bmqtt_tls_pending(&tls))) {
            (void)bmqtt_posix_wait(&sock, 0, 50u);
        }
        st = BMQTT_OK;
    }
    if (st != BMQTT_OK) {
        fprintf(stderr, "bmqtt-at: WebSocket to %s:%u%s: %s\n", req->host, req->port, wc.path, bmqtt_status_str(st));
        if (lower->close != NULL) {
            lower->close(lower->ctx);
        }
        return st;
    }
    bmqtt_ws_transport(&ws, &ws_tr);
    *tr = &ws_tr;
    return BMQTT_OK;
}

/* Open "scheme N, host, port, path" for the interpreter: TCP, TLS for 2-5, WebSocket on either for 6-10. */
static bmqtt_status_t net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    static bmqtt_tls_config_t tc;
    bmqtt_status_t st;
    uint32_t start = bmqtt_posix_now_ms();
    size_t i;
    /* 6-10 are 1-5 with WebSocket on top: 6 over TCP, 7-10 over TLS modes 2-5. */
    uint8_t tls_mode = req->scheme >= 6u ? (uint8_t)(req->scheme - 5u) : req->scheme;
    (void)user;
    (void)now_ms;
    bmqtt_posix_init(&sock);
    st = bmqtt_posix_connect(&sock, req->host, req->port, req->timeout_ms);
    if (st != BMQTT_OK) {
        return st;
    }
    bmqtt_posix_transport(&sock, &tcp_tr);
    if (tls_mode == 1u) {
        if (req->scheme >= 6u) {
            return ws_open(req, &tcp_tr, start, tr);
        }
        *tr = &tcp_tr;
        return BMQTT_OK;
    }
    if (tls_used) {
        size_t n = 0;
        if (bmqtt_tls_session_save(&tls, tls_session, sizeof tls_session, &n) == BMQTT_OK) tls_session_len = n;
        bmqtt_tls_free(&tls);
    }
    memset(&tc, 0, sizeof tc);
    tc.host = req->sni != NULL ? req->sni : req->host;
    if (tls_mode == 3u || tls_mode == 5u) {
        tc.ca = ca_pem;
        tc.ca_len = ca_len;
    } else {
        tc.insecure = 1u;
    }
    if (tls_mode == 4u || tls_mode == 5u) {
        tc.cert = cert_pem;
        tc.cert_len = cert_len;
        tc.key = key_pem;
        tc.key_len = key_len;
    }
    for (i = 0u; i < req->alpn_count && i < BMQTT_TLS_ALPN_MAX; i++) {
        tc.alpn[i] = req->alpn[i];
    }
    bmqtt_tls_init(&tls);
    tls_used = 1;
    st = bmqtt_tls_setup(&tls, &tc, &tcp_tr);
    /* Another host, CA or mode refuses it (a full handshake follows): never an error. */
    if (st == BMQTT_OK && tls_session_len) (void)bmqtt_tls_session_offer(&tls, tls_session, tls_session_len);
    while (st == BMQTT_OK) {
        st = bmqtt_tls_handshake(&tls);
        if (st != BMQTT_WOULD_BLOCK) {
            break;
        }
        if (bmqtt_posix_now_ms() - start > req->timeout_ms) {
            st = BMQTT_ERR_TIMEOUT;
            break;
        }
        (void)bmqtt_posix_wait(&sock, 0, 50u);
        st = BMQTT_OK;
    }
    if (st != BMQTT_OK) {
        fprintf(stderr, "bmqtt-at: TLS to %s:%u: %s\n", req->host, req->port, bmqtt_status_str(st));
        bmqtt_posix_close(&sock);
        return st;
    }
    bmqtt_tls_transport(&tls, &tls_tr);
    if (req->scheme >= 6u) {
        return ws_open(req, &tls_tr, start, tr);
    }
    *tr = &tls_tr;
    return BMQTT_OK;
}

/* Wi-Fi and TCP/IP commands: a station that is connected (the PC's own network). */
static int wifi(void *user, bmqtt_at_t *a, const char *cmd, size_t len)
{
    (void)user;
    (void)len;
    return at_station_command(&station, a, cmd);
}

static int64_t wall_clock(void *user)
{
    (void)user;
    return (int64_t)time(NULL);
}

/* A terminal on stdin or stdout is a UART too: raw mode (no echo by the line discipline, CR not turned
 * into LF, ^C and ^D are data, no CR added before LF), put back as it was when the program ends. */
static struct termios saved_tio[2];
static int saved_fd[2] = { -1, -1 };

static void restore_ttys(void)
{
    int i;
    for (i = 0; i < 2; i++) {
        if (saved_fd[i] >= 0) {
            (void)tcsetattr(saved_fd[i], TCSANOW, &saved_tio[i]);
        }
    }
}

static void on_signal(int sig)
{
    restore_ttys();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void raw_stdio(void)
{
    int fds[2] = { 0, 1 }, i;
    for (i = 0; i < 2; i++) { /* both first: stdin and stdout are often one terminal */
        if (isatty(fds[i]) && tcgetattr(fds[i], &saved_tio[i]) == 0) {
            saved_fd[i] = fds[i];
        }
    }
    for (i = 0; i < 2; i++) {
        struct termios t;
        if (saved_fd[i] < 0) {
            continue;
        }
        t = saved_tio[i];
        cfmakeraw(&t);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        (void)tcsetattr(fds[i], TCSANOW, &t);
    }
    if (saved_fd[0] >= 0 || saved_fd[1] >= 0) {
        atexit(restore_ttys);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
        signal(SIGINT, on_signal);
    }
}

static int raw_tty(const char *path)
{
    struct termios t;
    int fd = open(path, O_RDWR | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "bmqtt-at: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        (void)tcsetattr(fd, TCSANOW, &t);
    }
    return fd;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bmqtt-at [--tty PATH] [--ca FILE] [--cert FILE] [--key FILE]\n"
            "\n"
            "An ESP-AT MQTT modem: Espressif's MQTT AT command set (AT+MQTTUSERCFG, AT+MQTTCONN,\n"
            "AT+MQTTPUB, AT+MQTTPUBRAW, AT+MQTTSUB...) on stdin/stdout, or on the serial device or\n"
            "pseudo-terminal PATH. A terminal (PATH, or stdin/stdout) is set to raw mode like a UART,\n"
            "and stdin/stdout are put back at exit. stdout carries only the UART's bytes. It starts\n"
            "in the power-up state (echo on, AT+SYSLOG=0, MQTT state 0) and prints \"ready\".\n"
            "\n"
            "  --tty PATH   read and write PATH instead of stdin/stdout\n"
            "  --ca FILE    CA certificate(s), PEM, for schemes 3 and 5 (verify the server)\n"
            "  --cert FILE  client certificate, PEM, for schemes 4 and 5\n"
            "  --key FILE   its private key, PEM\n"
            "\n"
            "Limits: command line %u bytes including CR LF (longer lines give ERROR);\n"
            "receive buffer %u bytes (a larger message arrives as several +MQTTSUBRECV, each\n"
            "with its own length); AT+MQTTPUBRAW up to %u bytes; client id, user name and\n"
            "password up to %u bytes each (AT+MQTTLONG*). Schemes: 1 TCP, 2-5 TLS, 6 WebSocket,\n"
            "7-10 WebSocket over TLS (the path of AT+MQTTUSERCFG). Wi-Fi commands (AT+CWMODE,\n"
            "AT+CWJAP...) answer as a station that is connected. Exits 0 at end of input.\n",
            BMQTT_AT_LINE_MAX, RX_SIZE, RAW_SIZE, BMQTT_AT_LONG_MAX);
}

int main(int argc, char **argv)
{
    static bmqtt_at_config_t cfg;
    const char *tty = NULL;
    int i, eof = 0;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--tty") == 0 && i + 1 < argc) {
            tty = argv[++i];
        } else if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc) {
            ca_file = argv[++i];
        } else if (strcmp(argv[i], "--cert") == 0 && i + 1 < argc) {
            cert_file = argv[++i];
        } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
            key_file = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (load(ca_file, &ca_pem, &ca_len) != 0 || load(cert_file, &cert_pem, &cert_len) != 0 ||
        load(key_file, &key_pem, &key_len) != 0) {
        return 2;
    }
    if (tty != NULL) {
        in_fd = out_fd = raw_tty(tty);
        if (in_fd < 0) {
            return 2;
        }
    } else {
        raw_stdio();
    }
    cfg.write = uart_write;
    cfg.open = net_open;
    cfg.command = wifi;
    cfg.time_s = wall_clock;
    cfg.tx_buf = tx_buf;
    cfg.tx_size = sizeof tx_buf;
    cfg.rx_buf = rx_buf;
    cfg.rx_size = sizeof rx_buf;
    cfg.inflight = inflight;
    cfg.inflight_count = 16;
    cfg.qos2_ids = qos2_ids;
    cfg.qos2_count = 16;
    cfg.outbox = outbox;
    cfg.outbox_size = sizeof outbox;
    cfg.raw_buf = raw_buf;
    cfg.raw_size = sizeof raw_buf;
    bmqtt_posix_init(&sock);
    if (bmqtt_at_init(&at, &cfg) != BMQTT_OK) {
        fprintf(stderr, "bmqtt-at: init failed\n");
        return 1;
    }
    uart_write(NULL, (const uint8_t *)"\r\nready\r\n", 9u);
    for (;;) {
        struct pollfd p[2];
        nfds_t n = 0;
        uint32_t now = bmqtt_posix_now_ms();
        uint32_t wait = bmqtt_at_next_deadline(&at, now);
        if (wait > 50u) {
            wait = 50u;
        }
        if (tls_used && bmqtt_tls_pending(&tls)) {
            wait = 0u;
        }
        if (!eof) {
            p[n].fd = in_fd;
            p[n].events = POLLIN;
            n++;
        }
        if (bmqtt_posix_fd(&sock) >= 0) {
            p[n].fd = bmqtt_posix_fd(&sock);
            p[n].events = POLLIN;
            n++;
        }
        (void)poll(p, n, (int)wait);
        if (!eof && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            uint8_t b[4096];
            ssize_t r = read(in_fd, b, sizeof b);
            if (r > 0) {
                (void)bmqtt_at_input(&at, b, (size_t)r);
            } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
                eof = 1; /* end of input (or the other end of the pty went away) */
            }
        }
        (void)bmqtt_at_poll(&at, bmqtt_posix_now_ms());
        if (eof && !bmqtt_at_busy(&at)) {
            break; /* what was asked is answered */
        }
    }
    if (tls_used) {
        bmqtt_tls_free(&tls);
    }
    return 0;
}
