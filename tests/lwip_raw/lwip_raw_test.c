/*
 * port/lwip_raw on the real lwIP stack: lwIP 2.1 built from Debian's source
 * package with NO_SYS=1 (tests/lwip_raw/lwipopts.h) and the unix port's tapif,
 * one thread, one superloop -- tapif input, sys_check_timeouts(), the client --
 * against mosquitto on the other side of a TAP device. tests/lwip_raw/run.sh
 * makes the namespace, the TAP device (PRECONFIGURED_TAPIF), the broker and a
 * DNS server, then runs this program once per case.
 *
 *   lwip_raw_test [options] api           zeroed context, argument checks, refused, timeout, DNS
 *   lwip_raw_test [options] eof           broker closes (FIN) and resets (RST), raw MQTT bytes
 *   lwip_raw_test [options] pubsub TOPIC  subscribe TOPIC, publish --count messages, get them back
 *   lwip_raw_test [options] app ID        the superloop of examples/stm32-baremetal as device ID,
 *                                         until the command "led on" arrives
 *
 * options:
 *   --ip6 A                 also give lwIP this IPv6 address (/64)
 *   --broker A --port P     where mosquitto listens (default 192.168.77.1:1883)
 *   --dns A                 lwIP's DNS server (api case)
 *   --qos Q --count N       pubsub: QoS and number of messages (default 1, 10)
 *   --size S                pubsub: one payload of S bytes instead of the numbered ones
 *   --ring R                bytes of the port's receive ring (default 1024)
 *   --tls CA.pem            pubsub over port/mbedtls (server name checked as "localhost")
 *   --impair IN,OUT,DELAY   drop IN% of frames into lwIP and OUT% out of it, delay each by DELAY ms
 *   --seed N                random seed of --impair
 *   --deadline S            give up after S seconds (default 120)
 *   --min-sessions N        app: at least N MQTT sessions (a broker restart makes 2)
 *
 * Exit status 0 only when every check of the case held; each check prints a line.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "netif/tapif.h"

#include "bmqtt/client.h"
#include "bmqtt/status.h"
#include "bmqtt_lwip_raw.h"
#include "bmqtt_tls.h"
#include "sensor_app.h" /* examples/common: the device logic of both STM32 examples */
#include "superloop.h"

#define MAX_MSGS 1000

static const char *opt_broker = "192.168.77.1", *opt_ip6, *opt_ca, *opt_dns;
static int opt_port = 1883, opt_qos = 1, opt_count = 10, opt_deadline = 120, opt_min_sessions = 1;
static long opt_size, opt_ring = 1024;
static unsigned opt_loss_in, opt_loss_out, opt_delay_ms;
static unsigned long opt_seed = 12345;

static struct netif tap;
static int failures;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) {
        failures++;
    }
}

static uint32_t now_ms(void)
{
    return sys_now();
}

/* ---- the wire: tapif frames, with loss and delay at the netif when asked ---- */
#define QLEN 512
struct frame {
    uint32_t due;
    uint16_t len;
    uint8_t out;
    uint8_t data[1600];
};
static struct frame fq[QLEN];
static unsigned fq_head, fq_tail;
static netif_input_fn orig_input;
static netif_linkoutput_fn orig_linkoutput;
static unsigned long st_in, st_out, st_drop_in, st_drop_out, st_overflow;
static uint64_t rng;

static unsigned rnd100(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % 100u);
}

/* Frames are delayed in one FIFO (equal delays keep their order). */
static void impair(struct pbuf *p, int out)
{
    *(out ? &st_out : &st_in) += 1;
    if (rnd100() < (out ? opt_loss_out : opt_loss_in)) {
        *(out ? &st_drop_out : &st_drop_in) += 1;
    } else if (fq_tail - fq_head >= QLEN || p->tot_len > sizeof fq[0].data) {
        st_overflow++;
    } else {
        struct frame *f = &fq[fq_tail % QLEN];
        f->len = pbuf_copy_partial(p, f->data, p->tot_len, 0);
        f->out = (uint8_t)out;
        f->due = now_ms() + opt_delay_ms;
        fq_tail++;
    }
}

static err_t shim_input(struct pbuf *p, struct netif *n)
{
    (void)n;
    impair(p, 0);
    pbuf_free(p);
    return ERR_OK;
}

static err_t shim_linkoutput(struct netif *n, struct pbuf *p)
{
    (void)n;
    impair(p, 1);
    return ERR_OK;
}

static void wire_release(void)
{
    while (fq_head != fq_tail && (int32_t)(now_ms() - fq[fq_head % QLEN].due) >= 0) {
        struct frame *f = &fq[fq_head % QLEN];
        struct pbuf *p = pbuf_alloc(PBUF_RAW, f->len, PBUF_RAM);
        fq_head++;
        if (p == NULL) {
            st_overflow++;
            continue;
        }
        pbuf_take(p, f->data, f->len);
        if (f->out) {
            (void)orig_linkoutput(&tap, p);
            pbuf_free(p);
        } else if (orig_input(p, &tap) != ERR_OK) {
            pbuf_free(p);
        }
    }
}

/*
 * The netif driver's input, as a CubeMX ethernetif_input() does it for the ETH
 * DMA: every frame that has arrived goes into lwIP. Here the frames come from
 * the TAP device (tapif.c's state starts with its file descriptor); waiting up
 * to 1 ms for the first one keeps the loop from spinning.
 */
void ethernetif_input(struct netif *netif)
{
    struct pollfd pfd;
    int n = 0;
    pfd.fd = *(const int *)netif->state;
    pfd.events = POLLIN;
    while (n < 64 && poll(&pfd, 1, n == 0 ? 1 : 0) == 1 && (pfd.revents & POLLIN) != 0) {
        tapif_poll(netif);
        n++;
    }
    wire_release();
}

static void pump(void)
{
    ethernetif_input(&tap);
    sys_check_timeouts();
}

/* The board functions of superloop.h. */
int32_t board_temperature_dC(void)
{
    return 215 + (int32_t)(now_ms() / 1000u % 10u);
}

static int led;

void board_led(int on)
{
    led = on;
    printf("     led %s\n", on ? "on" : "off");
}

uint32_t board_random(void)
{
    return (uint32_t)rand();
}

static void start_lwip(void)
{
    ip4_addr_t ip, mask, gw;
    if (getenv("PRECONFIGURED_TAPIF") == NULL) {
        fprintf(stderr, "PRECONFIGURED_TAPIF is not set (run through tests/lwip_raw/run.sh)\n");
        exit(3);
    }
    lwip_init();
    IP4_ADDR(&ip, 192, 168, 77, 2);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 192, 168, 77, 1);
    if (netif_add(&tap, &ip, &mask, &gw, NULL, tapif_init, ethernet_input) == NULL) {
        fprintf(stderr, "netif_add failed\n");
        exit(3);
    }
    if (opt_ip6 != NULL) {
        ip6_addr_t a6;
        s8_t idx = -1;
        netif_create_ip6_linklocal_address(&tap, 1);
        netif_ip6_addr_set_state(&tap, 0, IP6_ADDR_PREFERRED);
        if (!ip6addr_aton(opt_ip6, &a6) || netif_add_ip6_address(&tap, &a6, &idx) != ERR_OK) {
            fprintf(stderr, "bad --ip6 %s\n", opt_ip6);
            exit(3);
        }
        netif_ip6_addr_set_state(&tap, idx, IP6_ADDR_PREFERRED);
    }
    netif_set_default(&tap);
    netif_set_up(&tap);
    if (opt_dns != NULL) {
        ip_addr_t d;
        if (!ipaddr_aton(opt_dns, &d)) {
            fprintf(stderr, "bad --dns %s\n", opt_dns);
            exit(3);
        }
        dns_setserver(0, &d);
    }
    if (opt_loss_in || opt_loss_out || opt_delay_ms) {
        rng = opt_seed * 2654435761u + 1u;
        orig_input = tap.input;
        orig_linkoutput = tap.linkoutput;
        tap.input = shim_input;
        tap.linkoutput = shim_linkoutput;
        printf("wire: %u%% loss into lwIP, %u%% loss out of lwIP, %u ms delay, seed %lu\n", opt_loss_in, opt_loss_out,
               opt_delay_ms, opt_seed);
    }
}

/* Drive the loop until the connect ends; returns its status. */
static bmqtt_status_t connect_wait(bmqtt_lwip_raw_t *s, const char *host, uint16_t port, uint32_t timeout_ms,
                                   uint32_t *took_ms)
{
    uint32_t t0 = now_ms();
    bmqtt_status_t st = bmqtt_lwip_raw_connect_start(s, host, port, timeout_ms);
    while (st == BMQTT_WOULD_BLOCK && now_ms() - t0 < 30000u) {
        pump();
        st = bmqtt_lwip_raw_connect_status(s);
    }
    if (took_ms != NULL) {
        *took_ms = now_ms() - t0;
    }
    return st;
}

/* ---- api ---- */
static int api_case(void)
{
    static bmqtt_lwip_raw_t zero; /* never initialised: must be a valid, empty context */
    static uint8_t ring[256];
    bmqtt_lwip_raw_t s;
    bmqtt_transport_t tr;
    uint8_t b[8] = { 0 };
    uint32_t took;
    bmqtt_status_t st;
    char what[160];

    check(bmqtt_lwip_raw_send(&zero, b, 1) == BMQTT_ERR_NOT_CONNECTED, "zeroed context: send -> BMQTT_ERR_NOT_CONNECTED");
    check(bmqtt_lwip_raw_recv(&zero, b, 1) == BMQTT_ERR_NOT_CONNECTED, "zeroed context: recv -> BMQTT_ERR_NOT_CONNECTED");
    check(bmqtt_lwip_raw_connect_status(&zero) == BMQTT_ERR_NOT_CONNECTED,
          "zeroed context: connect_status -> BMQTT_ERR_NOT_CONNECTED");
    bmqtt_lwip_raw_close(&zero);
    bmqtt_lwip_raw_abort(&zero);
    check(zero.pcb == NULL, "zeroed context: close and abort do nothing");
    check(bmqtt_lwip_raw_connect_start(&zero, opt_broker, 1883, 1000) == BMQTT_ERR_PARAM,
          "zeroed context (no ring): connect_start -> BMQTT_ERR_PARAM");

    memset(&s, 0xA5, sizeof s); /* uninitialised memory */
    check(bmqtt_lwip_raw_init(NULL, ring, sizeof ring) == BMQTT_ERR_PARAM, "init(NULL) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_raw_init(&s, NULL, 16) == BMQTT_ERR_PARAM, "init(ring NULL) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_raw_init(&s, ring, 0) == BMQTT_ERR_PARAM, "init(ring of 0 bytes) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_raw_init(&s, ring, sizeof ring) == BMQTT_OK && s.pcb == NULL, "init over garbage -> BMQTT_OK, no pcb");
    check(bmqtt_lwip_raw_connect_start(NULL, opt_broker, 1883, 0) == BMQTT_ERR_PARAM, "connect_start(NULL) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_raw_connect_start(&s, NULL, 1883, 0) == BMQTT_ERR_PARAM, "connect_start(host NULL) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_raw_connect_start(&s, "", 1883, 0) == BMQTT_ERR_PARAM, "connect_start(host \"\") -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_raw_connect_start(&s, opt_broker, 0, 0) == BMQTT_ERR_PARAM, "connect_start(port 0) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_raw_send(NULL, b, 1) == BMQTT_ERR_PARAM, "send(NULL ctx) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_raw_recv(&s, NULL, 1) == BMQTT_ERR_PARAM, "recv(NULL buf) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_raw_connect_status(NULL) == BMQTT_ERR_PARAM, "connect_status(NULL) -> BMQTT_ERR_PARAM");
    bmqtt_lwip_raw_transport(&s, &tr);
    check(tr.send == bmqtt_lwip_raw_send && tr.recv == bmqtt_lwip_raw_recv && tr.close == bmqtt_lwip_raw_close &&
              tr.ctx == &s,
          "transport table filled");
    check(strcmp(bmqtt_status_str(BMQTT_ERR_LWIP_RESET), "lwIP: connection reset by peer") == 0 &&
              BMQTT_ERR_LWIP_RESET == -130 && BMQTT_ERR_LWIP_ABORTED == -131 && BMQTT_ERR_LWIP_MEM == -132,
          "statuses -130..-132 named by bmqtt_status_str()");

    /* Port 1 of the broker's host: the kernel answers our SYN with RST. */
    st = connect_wait(&s, opt_broker, 1, 5000, &took);
    snprintf(what, sizeof what, "closed port -> BMQTT_ERR_CONNECT (%s, lwIP err %d, %u ms)", bmqtt_status_str(st),
             s.lwip_err, (unsigned)took);
    check(st == BMQTT_ERR_CONNECT && s.pcb == NULL, what);
    check(bmqtt_lwip_raw_send(&s, b, 1) == BMQTT_ERR_CONNECT, "and send returns it (sticky)");
    bmqtt_lwip_raw_close(&s); /* lwIP freed the pcb: close must not touch it */

    /* An address on the link that nobody has: no ARP answer, so the deadline ends it. */
    st = connect_wait(&s, "192.168.77.99", 1883, 1500, &took);
    snprintf(what, sizeof what, "no answer -> BMQTT_ERR_TIMEOUT after 1.5 s (%s, %u ms)", bmqtt_status_str(st),
             (unsigned)took);
    check(st == BMQTT_ERR_TIMEOUT && took >= 1500 && took < 2500, what);
    bmqtt_lwip_raw_close(&s);

    /* Names through lwIP's resolver and a real DNS server (dnsmasq) on the host side. */
    if (opt_dns != NULL) {
        st = connect_wait(&s, "broker.bmqtt.test", (uint16_t)opt_port, 5000, &took);
        snprintf(what, sizeof what, "dns_gethostbyname(broker.bmqtt.test) and connect -> BMQTT_OK (%s, %u ms)",
                 bmqtt_status_str(st), (unsigned)took);
        check(st == BMQTT_OK && ip_addr_cmp(&s.addr, &tap.gw), what);
        bmqtt_lwip_raw_close(&s);
        st = connect_wait(&s, "nowhere.bmqtt.test", (uint16_t)opt_port, 10000, &took);
        snprintf(what, sizeof what, "unknown name (NXDOMAIN) -> BMQTT_ERR_DNS (%s, %u ms)", bmqtt_status_str(st),
                 (unsigned)took);
        check(st == BMQTT_ERR_DNS, what);
        bmqtt_lwip_raw_close(&s);
        /* A close while the query is out: its late answer must not start anything. */
        st = bmqtt_lwip_raw_connect_start(&s, "late.bmqtt.test", (uint16_t)opt_port, 0);
        bmqtt_lwip_raw_close(&s);
        took = now_ms();
        while (now_ms() - took < 500u) {
            pump();
        }
        check(st == BMQTT_WOULD_BLOCK && s.pcb == NULL && bmqtt_lwip_raw_connect_status(&s) == BMQTT_ERR_NOT_CONNECTED,
              "close during the DNS query: the answer is ignored, no pcb");
    }
    check(connect_wait(&s, "192.168.77.300", 1883, 1000, NULL) == BMQTT_ERR_DNS, "malformed address -> BMQTT_ERR_DNS");
    bmqtt_lwip_raw_close(&s);

    /* A real connection: nothing to read yet, a send of 0, close twice. */
    st = connect_wait(&s, opt_broker, (uint16_t)opt_port, 5000, &took);
    check(st == BMQTT_OK && s.pcb != NULL, "connect to the broker -> BMQTT_OK");
    check(bmqtt_lwip_raw_recv(&s, b, sizeof b) == BMQTT_WOULD_BLOCK, "recv with nothing to read -> BMQTT_WOULD_BLOCK");
    check(bmqtt_lwip_raw_send(&s, b, 0) == 0, "send of 0 bytes -> 0");
    bmqtt_lwip_raw_close(&s);
    bmqtt_lwip_raw_close(&s);
    check(s.pcb == NULL && bmqtt_lwip_raw_send(&s, b, 1) == BMQTT_ERR_NOT_CONNECTED,
          "close twice; send after close -> BMQTT_ERR_NOT_CONNECTED");
    return failures == 0 ? 0 : 1;
}

/* ---- eof: the end of a connection, FIN and RST ---- */
static int32_t recv_wait(bmqtt_lwip_raw_t *s, uint8_t *b, size_t len)
{
    int32_t r = BMQTT_WOULD_BLOCK;
    uint32_t t0 = now_ms();
    while (r == BMQTT_WOULD_BLOCK && now_ms() - t0 < 5000u) {
        pump();
        r = bmqtt_lwip_raw_recv(s, b, len);
    }
    return r;
}

static int eof_case(void)
{
    /* CONNECT: MQTT 3.1.1, clean session, keepalive 60, empty client id. */
    static const uint8_t connect[14] = { 0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00 };
    static const uint8_t connack[4] = { 0x20, 0x02, 0x00, 0x00 };
    static const uint8_t disconnect[2] = { 0xE0, 0x00 };
    static uint8_t ring[3]; /* smaller than CONNACK: the pbuf is held and handed on in pieces */
    bmqtt_lwip_raw_t s;
    uint8_t b[8];
    int32_t r;
    size_t got = 0;

    bmqtt_lwip_raw_init(&s, ring, sizeof ring);
    check(connect_wait(&s, opt_broker, (uint16_t)opt_port, 5000, NULL) == BMQTT_OK, "connect");
    check(bmqtt_lwip_raw_send(&s, connect, sizeof connect) == (int32_t)sizeof connect, "send CONNECT: 14 bytes");
    while (got < 4) {
        r = recv_wait(&s, b + got, 1);
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    check(got == 4 && memcmp(b, connack, 4) == 0, "recv CONNACK 20 02 00 00 one byte at a time through a 3-byte ring");
    check(bmqtt_lwip_raw_send(&s, disconnect, sizeof disconnect) == 2, "send DISCONNECT");
    r = recv_wait(&s, b, sizeof b);
    printf("     recv after DISCONNECT: %s\n", bmqtt_status_str((bmqtt_status_t)r));
    check(r == BMQTT_ERR_CLOSED, "broker closes (FIN) -> recv returns BMQTT_ERR_CLOSED");
    check(bmqtt_lwip_raw_recv(&s, b, sizeof b) == BMQTT_ERR_CLOSED && bmqtt_lwip_raw_send(&s, b, 1) == BMQTT_ERR_CLOSED,
          "and again on the next recv; send -> BMQTT_ERR_CLOSED");
    check(bmqtt_lwip_raw_unacked(&s) == 0, "every byte sent was acknowledged (tcp_sent)");
    bmqtt_lwip_raw_close(&s);

    /* DISCONNECT as the first packet is a protocol error [MQTT-3.1.0-1]: mosquitto resets. */
    check(connect_wait(&s, opt_broker, (uint16_t)opt_port, 5000, NULL) == BMQTT_OK, "connect again");
    check(bmqtt_lwip_raw_send(&s, disconnect, sizeof disconnect) == 2, "send DISCONNECT as the first packet");
    r = recv_wait(&s, b, sizeof b);
    printf("     recv after the broker's reset: %s, lwIP err %d\n", bmqtt_status_str((bmqtt_status_t)r), s.lwip_err);
    check(r == BMQTT_ERR_LWIP_RESET && s.pcb == NULL, "broker resets (RST) -> BMQTT_ERR_LWIP_RESET, pcb freed by lwIP");
    check(bmqtt_lwip_raw_connect_status(&s) == BMQTT_ERR_LWIP_RESET, "connect_status says so too");
    bmqtt_lwip_raw_close(&s); /* must not touch the pcb lwIP freed (ASan watches) */
    bmqtt_lwip_raw_close(&s);

    /* Our own reset: abort, then the broker is still fine for the next connection. */
    check(connect_wait(&s, opt_broker, (uint16_t)opt_port, 5000, NULL) == BMQTT_OK, "connect a third time");
    bmqtt_lwip_raw_abort(&s);
    check(s.pcb == NULL, "abort (RST to the broker)");
    return failures == 0 ? 0 : 1;
}

/* ---- pubsub through the client session ---- */
static char payloads[MAX_MSGS][32];
static uint8_t *big;
static int got, got_bad, done, suback = -1;
static uint32_t big_seen;

static void on_message(void *user, const bmqtt_message_t *m)
{
    (void)user;
    if (m == NULL) {
        return;
    }
    if (big != NULL) {
        if (m->total == (uint32_t)opt_size && m->offset == big_seen &&
            memcmp(m->payload.ptr, big + m->offset, m->payload.len) == 0) {
            big_seen += (uint32_t)m->payload.len;
            if (big_seen == (uint32_t)opt_size) {
                got++;
            }
        } else {
            got_bad++;
        }
        return;
    }
    if (got < opt_count && m->payload.len == strlen(payloads[got]) &&
        memcmp(m->payload.ptr, payloads[got], m->payload.len) == 0) {
        got++;
    } else {
        if (got_bad < 5) {
            printf("     unexpected message #%d: %.*s\n", got, (int)m->payload.len, (const char *)m->payload.ptr);
        }
        got_bad++;
    }
}

/* The client's events, as this test counts them. */
static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_MESSAGE) {
        on_message(user, ev->message);
    } else if (ev->type == BMQTT_EVT_SUBACK) {
        suback = ev->status == BMQTT_OK && ev->codes.len == 1 ? ev->codes.ptr[0] : -1;
    } else if (ev->type == BMQTT_EVT_PUBLISH_DONE && ev->status == BMQTT_OK) {
        done++;
    }
}

static int entropy(void *ctx, unsigned char *out, size_t len, size_t *olen)
{
    FILE *f = fopen("/dev/urandom", "rb");
    (void)ctx;
    *olen = f != NULL ? fread(out, 1, len, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    return *olen == len ? 0 : -1;
}

static uint8_t cafile[16384];
static unsigned long sends, sends_blocked;

static int32_t counting_send(void *ctx, const uint8_t *buf, size_t len)
{
    int32_t r = bmqtt_lwip_raw_send(ctx, buf, len);
    sends++;
    if (r == BMQTT_WOULD_BLOCK) {
        sends_blocked++;
    }
    return r;
}

/* The MQTT part, in small steps over the current client API. */
static bmqtt_status_t mqtt_start(bmqtt_client_t *c, const bmqtt_transport_t *tr)
{
    static uint8_t txb[1024], rxb[1024];
    static bmqtt_inflight_t infl[16];
    static uint16_t q2[32];
    static bmqtt_client_config_t cc;
    static char id[40];
    bmqtt_connect_t f;
    bmqtt_status_t st;
    memset(&cc, 0, sizeof cc);
    cc.tx_buf = txb;
    cc.tx_size = sizeof txb;
    cc.rx_buf = rxb;
    cc.rx_size = sizeof rxb;
    cc.inflight = infl;
    cc.inflight_count = 16;
    cc.qos2_ids = q2;
    cc.qos2_count = 32;
    cc.on_event = on_event;
    /* On an impaired link lwIP's retransmission backoff (1 s, 2 s, 4 s, 8 s ... per lost copy of
     * one segment) can hold every byte for more than the default 10 s: a PINGREQ then waits
     * behind it. Such a link is slow, not dead; the session should survive it. */
    if (opt_loss_in || opt_loss_out || opt_delay_ms) cc.response_timeout_ms = 40000u;
    memset(&f, 0, sizeof f);
    snprintf(id, sizeof id, "bmqtt-lwipraw-%u", (unsigned)now_ms());
    f.client_id = bmqtt_view_str(id);
    f.clean_session = 1;
    f.keepalive_s = 30;
    st = bmqtt_client_init(c, &cc);
    return st != BMQTT_OK ? st : bmqtt_client_connect(c, tr, &f, now_ms());
}

static int mqtt_publish_next(bmqtt_client_t *c, const char *topic, int i)
{
    bmqtt_publish_t pub;
    memset(&pub, 0, sizeof pub);
    pub.topic = bmqtt_view_str(topic);
    if (big != NULL) {
        pub.payload.ptr = big;
        pub.payload.len = (size_t)opt_size;
    } else {
        pub.payload = bmqtt_view_str(payloads[i]);
    }
    pub.qos = (uint8_t)opt_qos;
    return bmqtt_client_publish(c, &pub, NULL) == BMQTT_OK;
}

/* A graceful end: DISCONNECT once the queue is out, then the transport closes. */
static void mqtt_finish(bmqtt_client_t *c)
{
    uint32_t t0 = now_ms();
    bmqtt_status_t st = bmqtt_client_disconnect(c);
    while (st == BMQTT_WOULD_BLOCK && now_ms() - t0 < 5000u) {
        pump();
        st = bmqtt_client_poll(c, now_ms());
    }
}

static int pubsub_case(const char *topic)
{
    static bmqtt_tls_t tls;
    static uint8_t *ring;
    bmqtt_tls_config_t tcfg;
    bmqtt_client_t c = { 0 }; /* zeroed: init reads it to refuse a live client */
    bmqtt_subscription_t sub;
    bmqtt_lwip_raw_t s;
    bmqtt_transport_t tcp, tr;
    bmqtt_status_t st;
    int sent = 0, step = 0, i, ok;
    unsigned long held_seen = 0;
    uint32_t t0, t_conn = 0, t_end, took;
    const int expect = opt_size > 0 ? 1 : opt_count;

    if (opt_size > 0) {
        big = malloc((size_t)opt_size);
        for (i = 0; i < opt_size; i++) {
            big[i] = (uint8_t)(i * 7 + i / 251);
        }
    }
    for (i = 0; i < opt_count && i < MAX_MSGS; i++) {
        snprintf(payloads[i], sizeof payloads[i], "lwip qos%d #%04d", opt_qos, i);
    }
    ring = malloc((size_t)opt_ring);
    bmqtt_lwip_raw_init(&s, ring, (size_t)opt_ring);

    t0 = now_ms();
    st = connect_wait(&s, opt_broker, (uint16_t)opt_port, 10000, &took);
    printf("     TCP connect through lwIP (raw API, NO_SYS=1) to [%s]:%d: %s (%u ms), ring %ld bytes\n", opt_broker,
           opt_port, bmqtt_status_str(st), (unsigned)took, opt_ring);
    if (st != BMQTT_OK) {
        check(0, "TCP connect");
        return 1;
    }
    bmqtt_lwip_raw_transport(&s, &tcp);
    tcp.send = counting_send;
    tr = tcp;
    if (opt_ca != NULL) {
        FILE *fp = fopen(opt_ca, "rb");
        size_t n = fp != NULL ? fread(cafile, 1, sizeof cafile - 1, fp) : 0;
        if (fp != NULL) {
            fclose(fp);
        }
        cafile[n] = 0;
        memset(&tcfg, 0, sizeof tcfg);
        tcfg.host = "localhost";
        tcfg.ca = cafile;
        tcfg.ca_len = n + 1;
        tcfg.entropy = entropy;
        bmqtt_tls_init(&tls);
        st = bmqtt_tls_setup(&tls, &tcfg, &tcp);
        if (st != BMQTT_OK) {
            printf("     TLS setup: %s\n", bmqtt_status_str(st));
            check(0, "TLS setup");
            return 1;
        }
        bmqtt_tls_transport(&tls, &tr);
    }
    if (mqtt_start(&c, &tr) != BMQTT_OK) {
        check(0, "client init/connect");
        return 1;
    }

    t_end = t0 + (uint32_t)opt_deadline * 1000u;
    while ((int32_t)(t_end - now_ms()) > 0) {
        pump();
        if (s.held != NULL) {
            held_seen++; /* lwIP delivered more than the ring had room for */
        }
        st = bmqtt_client_poll(&c, now_ms());
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
            printf("     poll -> %s (%d), step %d, lwIP err %d\n", bmqtt_status_str(st), (int)st, step, s.lwip_err);
            break;
        }
        if (st == BMQTT_OK && step == 0) {
            t_conn = now_ms();
            if (opt_ca != NULL) {
                printf("     TLS handshake and CONNACK over lwIP raw: %u ms, %s\n", (unsigned)(t_conn - t0),
                       mbedtls_ssl_get_ciphersuite(&tls.ssl));
            }
            sub.filter = bmqtt_view_str(topic);
            sub.qos = (uint8_t)opt_qos;
            if (bmqtt_client_subscribe(&c, &sub, 1, NULL) == BMQTT_OK) {
                step = 1;
            }
        } else if (step == 1 && suback >= 0) {
            step = 2;
        }
        if (step == 2) {
            while (sent < expect && mqtt_publish_next(&c, topic, sent)) {
                sent++;
            }
            if (sent == expect && got + got_bad >= expect && (opt_qos == 0 || done == expect) &&
                bmqtt_client_tx_idle(&c)) {
                step = 3;
                break;
            }
        }
    }
    t_end = now_ms();
    mqtt_finish(&c);
    if (opt_ca != NULL) {
        bmqtt_tls_free(&tls);
    }
    printf("     QoS %d: suback %d, %d/%d published, %d/%d acknowledged, %d/%d received back in order, %d unexpected, "
           "%u ms after CONNACK\n",
           opt_qos, suback, sent, expect, done, opt_qos == 0 ? 0 : expect, got, expect, got_bad,
           (unsigned)(t_end - t_conn));
    if (opt_loss_in || opt_loss_out || opt_delay_ms) {
        printf("     wire: %lu frames into lwIP (%lu dropped), %lu out (%lu dropped), %lu overflowed\n", st_in,
               st_drop_in, st_out, st_drop_out, st_overflow);
    }
    printf("     port: %lu sends, %lu BMQTT_WOULD_BLOCK; ring full with a pbuf held on %lu passes, %lu pbufs "
           "refused (ERR_MEM) and delivered again by lwIP\n",
           sends, sends_blocked, held_seen, (unsigned long)s.refused);
    ok = step == 3 && suback == opt_qos && sent == expect && got == expect && got_bad == 0 &&
         (opt_qos == 0 || done == expect);
    check(ok, "every message published, acknowledged and received back, in order, nothing else");
    if (opt_ca != NULL) {
        check(t_conn != 0, "TLS (port/mbedtls) over port/lwip_raw: handshake and MQTT session");
    }
    if (big != NULL) {
        check(sends_blocked > 0, "lwIP's send buffer filled: some sends returned BMQTT_WOULD_BLOCK");
        check(held_seen > 0 && s.refused > 0,
              "the receive ring filled: a pbuf held, later ones refused (ERR_MEM) and delivered again, nothing lost");
    }
    free(big);
    free(ring);
    return failures == 0 ? 0 : 1;
}

/* ---- app: the example's superloop, unchanged, on the tap netif ---- */
static int app_case(const char *id)
{
    uint32_t t_end = now_ms() + (uint32_t)opt_deadline * 1000u;
    uint32_t sessions = 0, readings_at_led = 0;
    bmqtt_status_t st, last = BMQTT_WOULD_BLOCK;
    char what[200];

    if (superloop_init(opt_broker, (uint16_t)opt_port, id, 200u) != 0) {
        check(0, "superloop_init");
        return 1;
    }
    while ((int32_t)(t_end - now_ms()) > 0 && !led) {
        st = superloop_step(&tap);
        if (st == BMQTT_OK && last != BMQTT_OK) {
            sessions++;
            printf("session %u: connected, %u readings acknowledged so far\n", (unsigned)sessions,
                   (unsigned)sensor_app_readings());
        } else if (st != BMQTT_OK && last == BMQTT_OK) {
            printf("session %u: ended (%s); bmqtt_reconnect takes over\n", (unsigned)sessions,
                   bmqtt_status_str(bmqtt_client_last_error(sensor_app_client()).status));
        }
        last = st;
    }
    readings_at_led = sensor_app_readings();
    printf("     app: %u sessions, %u readings acknowledged, command \"led on\" %s\n", (unsigned)sessions,
           (unsigned)readings_at_led, led ? "received" : "not received");
    check(led == 1, "the \"led on\" command arrived on devices/<id>/cmd (subscribed again after the reconnect)");
    snprintf(what, sizeof what, "at least %d MQTT session(s) (the broker restart makes the example reconnect)",
             opt_min_sessions);
    check(sessions >= (uint32_t)opt_min_sessions, what);
    check(readings_at_led >= 6, "at least 6 readings acknowledged by the broker");
    return failures == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    int i;
    const char *mode;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            fprintf(stderr, "%s needs a value\n", o);
            return 2;
        }
        if (strcmp(o, "--ip6") == 0) {
            opt_ip6 = v;
        } else if (strcmp(o, "--broker") == 0) {
            opt_broker = v;
        } else if (strcmp(o, "--port") == 0) {
            opt_port = atoi(v);
        } else if (strcmp(o, "--dns") == 0) {
            opt_dns = v;
        } else if (strcmp(o, "--qos") == 0) {
            opt_qos = atoi(v);
        } else if (strcmp(o, "--count") == 0) {
            opt_count = atoi(v);
        } else if (strcmp(o, "--size") == 0) {
            opt_size = atol(v);
        } else if (strcmp(o, "--ring") == 0) {
            opt_ring = atol(v);
        } else if (strcmp(o, "--tls") == 0) {
            opt_ca = v;
        } else if (strcmp(o, "--impair") == 0) {
            if (sscanf(v, "%u,%u,%u", &opt_loss_in, &opt_loss_out, &opt_delay_ms) != 3) {
                fprintf(stderr, "--impair IN,OUT,DELAY\n");
                return 2;
            }
        } else if (strcmp(o, "--seed") == 0) {
            opt_seed = strtoul(v, NULL, 10);
        } else if (strcmp(o, "--deadline") == 0) {
            opt_deadline = atoi(v);
        } else if (strcmp(o, "--min-sessions") == 0) {
            opt_min_sessions = atoi(v);
        } else {
            fprintf(stderr, "unknown option %s\n", o);
            return 2;
        }
    }
    if (i >= argc || opt_count < 1 || opt_count > MAX_MSGS || opt_ring < 1) {
        fprintf(stderr, "usage: lwip_raw_test [options] api|eof|pubsub TOPIC|app ID\n");
        return 2;
    }
    mode = argv[i];
    start_lwip();
    if (strcmp(mode, "api") == 0) {
        return api_case();
    }
    if (strcmp(mode, "eof") == 0) {
        return eof_case();
    }
    if (strcmp(mode, "pubsub") == 0 && i + 1 < argc) {
        return pubsub_case(argv[i + 1]);
    }
    if (strcmp(mode, "app") == 0 && i + 1 < argc) {
        return app_case(argv[i + 1]);
    }
    fprintf(stderr, "unknown case %s\n", mode);
    return 2;
}
