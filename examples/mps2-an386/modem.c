/*
 * The ESP-AT modem firmware for mps2-an386: bmqtt's AT interpreter on UART0
 * (bytes in through bmqtt_at_input(), answers out through its write hook), MQTT
 * over lwIP's raw API on the board's LAN9118 (port/lwip_raw), TLS through
 * port/mbedtls (schemes 2-5) and WebSocket through port/websocket over either
 * (6-10), all in one superloop.
 *
 * It answers as bmqtt-at does on a PC (the same "ready", the same Wi-Fi answers
 * of a connected station), so a host driver runs against either unchanged;
 * boards/mps2-an386/run.py starts it in QEMU with UART0 on stdin/stdout or
 * --tty PATH. The CA, client certificate and key (--ca, --cert, --key on that
 * command line) are read from the host through semihosting at boot: emulation
 * only; on a part they are in flash.
 *
 * Names: "localhost" and "127.0.0.1" are the host's brokers (10.0.2.100, see
 * net.h); numeric addresses are used as they are; other names do not resolve
 * (no DNS server on this network: ERR CODE 0x010a6055).
 *
 * One command is not ESP-AT's: AT+BOARD? answers +BOARD:<instructions>,<ns>,<stack
 * used>,<stack size> for tests/board/measure.py (instructions: under QEMU -icount shift=0).
 */
#include <stdio.h>
#include <string.h>

#include "bmqtt/at.h"
#include "bmqtt_lwip_raw.h"

#include "board.h"
#include "net.h"
#include "../at/at_layers.h"
#include "../at/at_station.h"

#define RAW_SIZE 8192u

/* The outbox keeps a QoS 1/2 message until it is acknowledged: a whole AT+MQTTPUBRAW's. */
static uint8_t tx_buf[2048], rx_buf[1024], outbox[RAW_SIZE + 1024u], raw_buf[RAW_SIZE];
static bmqtt_inflight_t inflight[8];
static uint16_t qos2_ids[8];
static bmqtt_at_t at;

static uint8_t tcp_ring[3072]; /* a whole TCP_WND of lwipopts.h */
static bmqtt_lwip_raw_t tcp;
static bmqtt_transport_t tcp_tr;
static int connecting;

static uint8_t tls_pool[40 * 1024]; /* mbedTLS's heap (docs/TLS.md gives the sizes) */
/* TLS and WebSocket (examples/at/at_layers.c). The last connection's TLS session is offered on
 * the next (AT+MQTTCONN again, reconnect=1): a resumed handshake costs a few hundred thousand
 * instructions instead of a hundred million. */
static at_layers_t layers;
static uint8_t ws_tx[2048], ws_rx[2048];

static uint8_t ca_pem[4096], cert_pem[4096], key_pem[4096];
static size_t ca_len, cert_len, key_len;
static at_station_t station = { "10.0.2.15", "10.0.2.2", "255.255.255.0", "52:54:00:12:34:56", "bmqtt-sim" };

static void uart_write(void *user, const uint8_t *buf, size_t len)
{
    (void)user;
    board_uart_write(buf, len);
}

/* The interpreter's open: TCP through port/lwip_raw without waiting (called again while it
 * says BMQTT_WOULD_BLOCK), then TLS and WebSocket on top. */
static bmqtt_status_t net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    bmqtt_status_t st;
    (void)user;
    (void)now_ms;
    if (req->scheme < 1u || req->scheme > 10u) {
        return BMQTT_ERR_AT_SCHEME;
    }
    if (!connecting) {
        bmqtt_lwip_raw_close(&tcp); /* a previous connection's state; the ring stays */
        st = bmqtt_lwip_raw_connect_start(&tcp, net_host(req->host), req->port, req->timeout_ms);
        if (st != BMQTT_WOULD_BLOCK) {
            return st;
        }
        connecting = 1;
    }
    st = bmqtt_lwip_raw_connect_status(&tcp);
    if (st == BMQTT_WOULD_BLOCK) {
        return st;
    }
    connecting = 0;
    if (st != BMQTT_OK) {
        bmqtt_lwip_raw_close(&tcp);
        return st;
    }
    bmqtt_lwip_raw_transport(&tcp, &tcp_tr);
    st = at_layers_open(&layers, req, &tcp_tr, tr);
    if (st != BMQTT_OK) {
        bmqtt_lwip_raw_close(&tcp);
    }
    return st;
}

static void say(bmqtt_at_t *a, const char *s)
{
    bmqtt_at_write(a, s, strlen(s));
}

/* newlib-nano's printf has no %llu. */
static char *u64_str(char buf[24], uint64_t v)
{
    size_t i = 23u;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    return buf + i;
}

/* Wi-Fi and TCP/IP commands: a station that is connected (the board's Ethernet). */
static int wifi(void *user, bmqtt_at_t *a, const char *cmd, size_t len)
{
    (void)user;
    (void)len;
    if (at_station_command(&station, a, cmd)) return 1;
    if (strcmp(cmd, "+BOARD?") == 0) {
        /* Not an ESP-AT command: the board's figures for tests/board/measure.py: instructions
         * run (under -icount shift=0), virtual ns since boot, stack used and its size. */
        char line[96], busy[24], ns[24];
        snprintf(line, sizeof line, "+BOARD:%s,%s,%u,%u\r\n", u64_str(busy, board_busy_ns()), u64_str(ns, board_ns()),
                 (unsigned)board_stack_used(), (unsigned)board_stack_size());
        say(a, line);
        bmqtt_at_ok(a);
        return 1;
    }
    return 0;
}

static int64_t wall_clock(void *user)
{
    (void)user;
    return board_unix_time(NULL);
}

/* --ca, --cert, --key FILE on the command line: read from the host at boot. */
static int load_credentials(void)
{
    static char line[512];
    char *argv[16], *save = NULL, *tok;
    int argc = 0, i, rc = 0;
    strncpy(line, board_cmdline(), sizeof line - 1u);
    for (tok = strtok_r(line, " ", &save); tok != NULL && argc < 16; tok = strtok_r(NULL, " ", &save)) {
        argv[argc++] = tok;
    }
    for (i = 0; i + 1 < argc; i++) {
        uint8_t *buf = NULL;
        size_t *len = NULL;
        if (strcmp(argv[i], "--ca") == 0) {
            buf = ca_pem, len = &ca_len;
        } else if (strcmp(argv[i], "--cert") == 0) {
            buf = cert_pem, len = &cert_len;
        } else if (strcmp(argv[i], "--key") == 0) {
            buf = key_pem, len = &key_len;
        } else {
            continue;
        }
        if (board_read_file(argv[i + 1], buf, 4096u, len) != 0) {
            board_log("modem: cannot read %s\n", argv[i + 1]);
            rc = -1;
        }
        i++;
    }
    return rc;
}

int main(void)
{
    static bmqtt_at_config_t cfg;
    board_init();
    if (load_credentials() != 0 || net_start() != 0) {
        return 2;
    }
    (void)bmqtt_tls_pool_init(tls_pool, sizeof tls_pool);
    at_layers_init(&layers, board_trng, board_unix_time, ws_tx, sizeof ws_tx, ws_rx, sizeof ws_rx, ca_pem, ca_len,
                   cert_pem, cert_len, key_pem, key_len);
    bmqtt_lwip_raw_init(&tcp, tcp_ring, sizeof tcp_ring);
    cfg.write = uart_write;
    cfg.open = net_open;
    cfg.command = wifi;
    cfg.time_s = wall_clock;
    cfg.tx_buf = tx_buf;
    cfg.tx_size = sizeof tx_buf;
    cfg.rx_buf = rx_buf;
    cfg.rx_size = sizeof rx_buf;
    cfg.inflight = inflight;
    cfg.inflight_count = 8;
    cfg.qos2_ids = qos2_ids;
    cfg.qos2_count = 8;
    cfg.outbox = outbox;
    cfg.outbox_size = sizeof outbox;
    cfg.raw_buf = raw_buf;
    cfg.raw_size = sizeof raw_buf;
    if (bmqtt_at_init(&at, &cfg) != BMQTT_OK) {
        board_log("modem: init failed\n");
        return 1;
    }
    (void)bmqtt_at_poll(&at, board_ms()); /* the clock, before any command runs */
    board_uart_write((const uint8_t *)"\r\nready\r\n", 9u);
    for (;;) {
        uint8_t in[256];
        size_t n = 0;
        int c;
        while (n < sizeof in && (c = board_uart_getc()) >= 0) {
            in[n++] = (uint8_t)c;
        }
        if (n > 0u) {
            (void)bmqtt_at_input(&at, in, n);
        }
        net_step();
        (void)bmqtt_at_poll(&at, board_ms());
        if (board_input_ended() && !bmqtt_at_busy(&at)) {
            /* the runner's input ended and all of it was read: stop once what was asked is answered */
            break;
        }
        if (n == 0u && !at_layers_pending(&layers)) {
            board_idle();
        }
    }
    at_layers_free(&layers);
    board_log("modem: stack used %u of %u bytes\n", (unsigned)board_stack_used(), (unsigned)board_stack_size());
    return 0;
}
