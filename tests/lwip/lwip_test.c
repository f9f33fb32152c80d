/*
 * port/lwip on the real lwIP stack: Debian's liblwip (lwIP 2.1.3, unix port)
 * with its tcpip thread and a tapif netif, against a mosquitto on the other
 * side of the TAP device. tests/lwip/run.sh creates the network namespace,
 * the TAP device (PRECONFIGURED_TAPIF) and the broker, then runs this
 * program once per case.
 *
 *   lwip_test [options] api                     argument checks, DNS/refused/timeout statuses
 *   lwip_test [options] eof                     the broker closes: recv -> BMQTT_ERR_CLOSED
 *   lwip_test [options] pubsub TOPIC            subscribe TOPIC, publish --count messages, get them back
 *
 * options:
 *   --ip A --mask M --gw G    lwIP's IPv4 address (default 192.168.77.2/24 via 192.168.77.1)
 *   --ip6 A                   also give lwIP this IPv6 address (/64)
 *   --broker A --port P       where mosquitto listens (default 192.168.77.1:1883)
 *   --qos Q --count N         pubsub: QoS and number of messages (default 1, 10)
 *   --size S                  pubsub: one payload of S bytes instead of the numbered ones
 *   --tls CA.pem              pubsub over port/mbedtls (server name checked as "localhost")
 *   --impair IN,OUT,DELAY     drop IN% of frames into lwIP and OUT% out of it, delay each by DELAY ms
 *   --seed N                  random seed of --impair
 *   --deadline S              give up after S seconds (default 120)
 *
 * Exit status 0 only when every check of the case held; each check prints a line.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/opt.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "netif/tapif.h"

#include "bmqtt/client.h"
#include "bmqtt/status.h"
#include "bmqtt_lwip.h"
#include "bmqtt_tls.h"

#define MAX_MSGS 1000

static const char *opt_ip = "192.168.77.2", *opt_mask = "255.255.255.0", *opt_gw = "192.168.77.1";
static const char *opt_ip6, *opt_broker = "192.168.77.1", *opt_ca;
static int opt_port = 1883, opt_qos = 1, opt_count = 10, opt_deadline = 120;
static long opt_size;
static unsigned opt_loss_in, opt_loss_out, opt_delay_ms;
static unsigned long opt_seed = 12345;

static struct netif tap;
static sys_sem_t ready;

/* ---- an impaired wire: loss and delay at the netif, both directions ---- */
/* Used where the kernel has no sch_netem (run.sh says which one a run used). Frames are
 * copied into a FIFO and handed on, DELAY ms later, by one thread: into lwIP through
 * tcpip_input(), out of it through tapif's own linkoutput. */
#define QLEN 1024
struct frame {
    uint32_t due;
    uint16_t len;
    uint8_t out;
    uint8_t data[1600];
};
static struct frame fq[QLEN];
static unsigned fq_head, fq_tail;
static pthread_mutex_t fq_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fq_cv = PTHREAD_COND_INITIALIZER;
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

static uint32_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* Queue a copy of @p p; 0 queued, -1 dropped on purpose or for lack of room. */
static int impair(struct pbuf *p, int out)
{
    int r = -1;
    pthread_mutex_lock(&fq_mu);
    if (out) {
        st_out++;
    } else {
        st_in++;
    }
    if (rnd100() < (out ? opt_loss_out : opt_loss_in)) {
        if (out) {
            st_drop_out++;
        } else {
            st_drop_in++;
        }
    } else if (fq_tail - fq_head >= QLEN || p->tot_len > sizeof fq[0].data) {
        st_overflow++;
    } else {
        struct frame *f = &fq[fq_tail % QLEN];
        f->len = (uint16_t)pbuf_copy_partial(p, f->data, p->tot_len, 0);
        f->out = (uint8_t)out;
        f->due = now_ms() + opt_delay_ms;
        fq_tail++;
        pthread_cond_signal(&fq_cv);
        r = 0;
    }
    pthread_mutex_unlock(&fq_mu);
    return r;
}

static err_t shim_input(struct pbuf *p, struct netif *n)
{
    (void)n;
    (void)impair(p, 0);
    pbuf_free(p);
    return ERR_OK;
}

static err_t shim_linkoutput(struct netif *n, struct pbuf *p)
{
    (void)n;
    (void)impair(p, 1);
    return ERR_OK;
}

static void *wire_thread(void *arg)
{
    (void)arg;
    for (;;) {
        struct frame f;
        struct pbuf *p;
        pthread_mutex_lock(&fq_mu);
        while (fq_head == fq_tail) {
            pthread_cond_wait(&fq_cv, &fq_mu);
        }
        f = fq[fq_head % QLEN];
        pthread_mutex_unlock(&fq_mu);
        while ((int32_t)(f.due - now_ms()) > 0) {
            struct timespec d = { 0, 1000000L };
            nanosleep(&d, NULL);
        }
        pthread_mutex_lock(&fq_mu);
        fq_head++;
        pthread_mutex_unlock(&fq_mu);

        LOCK_TCPIP_CORE();
        p = pbuf_alloc(PBUF_RAW, f.len, PBUF_RAM);
        if (p != NULL) {
            pbuf_take(p, f.data, f.len);
            if (f.out) {
                (void)orig_linkoutput(&tap, p);
                pbuf_free(p);
                p = NULL;
            }
        }
        UNLOCK_TCPIP_CORE();
        if (p != NULL && orig_input(p, &tap) != ERR_OK) {
            pbuf_free(p);
        }
    }
    return NULL;
}

/* ---- lwIP start-up: tcpip thread, tapif netif ---- */
static void tcpip_ready(void *arg)
{
    ip4_addr_t ip, mask, gw;
    (void)arg;
    ip4addr_aton(opt_ip, &ip);
    ip4addr_aton(opt_mask, &mask);
    ip4addr_aton(opt_gw, &gw);
    /* tapif_init attaches to the TAP device named by PRECONFIGURED_TAPIF. */
    if (netif_add(&tap, &ip, &mask, &gw, NULL, tapif_init, tcpip_input) == NULL) {
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
    /* Debian's liblwip 2.1.3 has PBUF_POOL elements of 592 bytes (TCP_MSS 536) while its
     * pbuf_alloc() fills one element up to 1514 bytes (TCP_MSS 1460): tapif's receive of any
     * frame over 590 bytes writes past the element (AddressSanitizer: heap-buffer-overflow in
     * pbuf_take from tapif's thread). A 576-byte MTU on lwIP's side makes lwIP advertise an MSS
     * of 536 (IPv4) / 516 (IPv6), so the kernel never sends it a larger frame. */
    tap.mtu = 576;
#if LWIP_IPV6 && LWIP_ND6_ALLOW_RA_UPDATES
    tap.mtu6 = 576;
#endif
    netif_set_default(&tap);
    netif_set_up(&tap);
    if (opt_loss_in || opt_loss_out || opt_delay_ms) {
        orig_input = tap.input;
        orig_linkoutput = tap.linkoutput;
        tap.input = shim_input;
        tap.linkoutput = shim_linkoutput;
    }
    sys_sem_signal(&ready);
}

static void start_lwip(void)
{
    if (getenv("PRECONFIGURED_TAPIF") == NULL) {
        fprintf(stderr, "PRECONFIGURED_TAPIF is not set (run through tests/lwip/run.sh)\n");
        exit(3);
    }
    if (opt_loss_in || opt_loss_out || opt_delay_ms) {
        pthread_t t;
        rng = opt_seed * 2654435761u + 1u;
        pthread_create(&t, NULL, wire_thread, NULL);
        printf("wire: %u%% loss into lwIP, %u%% loss out of lwIP, %u ms delay, seed %lu\n", opt_loss_in, opt_loss_out,
               opt_delay_ms, opt_seed);
    }
    sys_sem_new(&ready, 0);
    tcpip_init(tcpip_ready, NULL);
    sys_arch_sem_wait(&ready, 0);
}

/* ---- checks ---- */
static int failures;
static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) {
        failures++;
    }
}

static int api_case(void)
{
    bmqtt_lwip_t s;
    bmqtt_transport_t tr;
    uint8_t b[4];
    uint32_t t0;
    bmqtt_status_t st;

    bmqtt_lwip_init(&s);
    check(bmqtt_lwip_fd(&s) == -1, "init: no socket");
    check(bmqtt_lwip_connect(NULL, opt_broker, 1883, 1000) == BMQTT_ERR_PARAM, "connect(NULL) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_connect(&s, NULL, 1883, 1000) == BMQTT_ERR_PARAM, "connect(host NULL) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_connect(&s, "", 1883, 1000) == BMQTT_ERR_PARAM, "connect(host \"\") -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_connect(&s, opt_broker, 0, 1000) == BMQTT_ERR_PARAM, "connect(port 0) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_send(&s, b, 1) == BMQTT_ERR_CLOSED, "send before connect -> BMQTT_ERR_CLOSED");
    check(bmqtt_lwip_recv(&s, b, 1) == BMQTT_ERR_CLOSED, "recv before connect -> BMQTT_ERR_CLOSED");
    check(bmqtt_lwip_send(NULL, b, 1) == BMQTT_ERR_PARAM, "send(NULL ctx) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_recv(&s, NULL, 1) == BMQTT_ERR_PARAM, "recv(NULL buf) -> BMQTT_ERR_PARAM");
    check(bmqtt_lwip_wait(&s, 0, 10) == BMQTT_ERR_CLOSED, "wait before connect -> BMQTT_ERR_CLOSED");
    bmqtt_lwip_transport(&s, &tr);
    check(tr.send == bmqtt_lwip_send && tr.recv == bmqtt_lwip_recv && tr.close == bmqtt_lwip_close && tr.ctx == &s,
          "transport table filled");
#if LWIP_DNS
    st = bmqtt_lwip_connect(&s, "no-such-host.invalid", 1883, 2000);
    check(st == BMQTT_ERR_DNS, "unknown name -> BMQTT_ERR_DNS");
#else
    st = bmqtt_lwip_connect(&s, "localhost", 1883, 2000);
    check(st == BMQTT_ERR_DNS, "a name with LWIP_DNS=0 -> BMQTT_ERR_DNS");
#endif
    check(bmqtt_lwip_connect(&s, "192.168.77.300", 1883, 2000) == BMQTT_ERR_DNS, "malformed address -> BMQTT_ERR_DNS");

    /* Port 1 on the broker's host: the kernel answers with RST. */
    t0 = now_ms();
    st = bmqtt_lwip_connect(&s, opt_broker, 1, 5000);
    printf("     refused: %s, lwIP errno %d, %u ms\n", bmqtt_status_str(st), s.last_errno, (unsigned)(now_ms() - t0));
    check(st == BMQTT_ERR_CONNECT && bmqtt_lwip_fd(&s) == -1, "closed port -> BMQTT_ERR_CONNECT");

    /* An address on the link that nobody has: no ARP answer, so the timeout ends it. */
    t0 = now_ms();
    st = bmqtt_lwip_connect(&s, "192.168.77.99", 1883, 1500);
    {
        unsigned took = (unsigned)(now_ms() - t0);
        printf("     unreachable: %s, lwIP errno %d, %u ms\n", bmqtt_status_str(st), s.last_errno, took);
        check(st == BMQTT_ERR_CONNECT && took >= 1400 && took < 3000, "no answer -> BMQTT_ERR_CONNECT after 1.5 s");
    }

    /* A real connection: connect, the socket is usable, close twice. */
    st = bmqtt_lwip_connect(&s, opt_broker, (uint16_t)opt_port, 5000);
    check(st == BMQTT_OK && bmqtt_lwip_fd(&s) >= 0, "connect to the broker -> BMQTT_OK");
    check(bmqtt_lwip_recv(&s, b, sizeof b) == BMQTT_WOULD_BLOCK, "recv with nothing to read -> BMQTT_WOULD_BLOCK");
    check(bmqtt_lwip_wait(&s, 0, 200) == 0, "wait for input, none -> 0 after the timeout");
    check(bmqtt_lwip_wait(&s, 1, 200) == 1, "wait for output -> 1 (writable)");
    check(bmqtt_lwip_send(&s, b, 0) == 0, "send of 0 bytes -> 0");
    bmqtt_lwip_close(&s);
    bmqtt_lwip_close(&s);
    check(bmqtt_lwip_fd(&s) == -1, "close twice");
    return failures == 0 ? 0 : 1;
}

/* Wait up to 5 s for recv to return something other than BMQTT_WOULD_BLOCK. */
static int32_t recv_wait(bmqtt_lwip_t *s, uint8_t *b, size_t len)
{
    int32_t r = BMQTT_WOULD_BLOCK;
    uint32_t t0 = now_ms();
    while (r == BMQTT_WOULD_BLOCK && now_ms() - t0 < 5000u) {
        (void)bmqtt_lwip_wait(s, 0, 100);
        r = bmqtt_lwip_recv(s, b, len);
    }
    return r;
}

/* How the end of a connection is reported: an orderly close (FIN) and a reset (RST). */
static int eof_case(void)
{
    /* CONNECT: MQTT 3.1.1, clean session, keepalive 60, empty client id. */
    static const uint8_t connect[14] = { 0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00 };
    static const uint8_t connack[4] = { 0x20, 0x02, 0x00, 0x00 };
    static const uint8_t disconnect[2] = { 0xE0, 0x00 };
    bmqtt_lwip_t s;
    int32_t r;
    uint8_t b[8];

    /* DISCONNECT after CONNACK: mosquitto closes in order (FIN). */
    bmqtt_lwip_init(&s);
    check(bmqtt_lwip_connect(&s, opt_broker, (uint16_t)opt_port, 5000) == BMQTT_OK, "connect");
    check(bmqtt_lwip_send(&s, connect, sizeof connect) == (int32_t)sizeof connect, "send CONNECT: 14 bytes");
    r = recv_wait(&s, b, sizeof b);
    check(r == 4 && memcmp(b, connack, 4) == 0, "recv CONNACK 20 02 00 00");
    check(bmqtt_lwip_send(&s, disconnect, sizeof disconnect) == 2, "send DISCONNECT");
    r = recv_wait(&s, b, sizeof b);
    printf("     recv after DISCONNECT: %s\n", bmqtt_status_str((bmqtt_status_t)r));
    check(r == BMQTT_ERR_CLOSED, "broker closes (FIN) -> recv returns BMQTT_ERR_CLOSED");
    r = bmqtt_lwip_recv(&s, b, sizeof b);
    printf("     recv again: %s, lwIP errno %d\n", bmqtt_status_str((bmqtt_status_t)r), s.last_errno);
    check(r == BMQTT_ERR_CLOSED, "and again on the next call");
    bmqtt_lwip_close(&s);

    /* DISCONNECT as the first packet is a protocol error [MQTT-3.1.0-1]: mosquitto resets. */
    check(bmqtt_lwip_connect(&s, opt_broker, (uint16_t)opt_port, 5000) == BMQTT_OK, "connect again");
    check(bmqtt_lwip_send(&s, disconnect, sizeof disconnect) == 2, "send DISCONNECT as the first packet");
    r = recv_wait(&s, b, sizeof b);
    printf("     recv after the broker's reset: %s, lwIP errno %d\n", bmqtt_status_str((bmqtt_status_t)r), s.last_errno);
    check(r == BMQTT_ERR_TRANSPORT && s.last_errno == ECONNRESET, "broker resets (RST) -> BMQTT_ERR_TRANSPORT, ECONNRESET");
    bmqtt_lwip_close(&s);
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

static void on_suback(void *user, uint16_t id, bmqtt_view_t codes)
{
    (void)user;
    (void)id;
    suback = codes.len == 1 ? codes.ptr[0] : -1;
}

static void on_done(void *user, uint16_t id)
{
    (void)user;
    (void)id;
    done++;
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    if (ev->type == BMQTT_EVT_MESSAGE) on_message(user, ev->message);
    else if (ev->type == BMQTT_EVT_SUBACK && ev->status == BMQTT_OK) on_suback(user, ev->packet_id, ev->codes);
    else if (ev->type == BMQTT_EVT_PUBLISH_DONE && ev->status == BMQTT_OK) on_done(user, ev->packet_id);
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

/* port/lwip's send, counted: shows that lwIP's send buffer filled up and the port said so. */
static int32_t counting_send(void *ctx, const uint8_t *buf, size_t len)
{
    int32_t r = bmqtt_lwip_send(ctx, buf, len);
    sends++;
    if (r == BMQTT_WOULD_BLOCK) {
        sends_blocked++;
    }
    return r;
}

static int pubsub_case(const char *topic)
{
    static uint8_t txb[1024], rxb[1024];
    static bmqtt_inflight_t infl[16];
    static uint16_t q2[32];
    static bmqtt_tls_t tls;
    bmqtt_tls_config_t tcfg;
    bmqtt_client_config_t cc;
    bmqtt_client_t c = { 0 }; /* zeroed: init reads it to refuse a live client */
    bmqtt_connect_t f;
    bmqtt_subscription_t sub;
    bmqtt_lwip_t s;
    bmqtt_transport_t tcp, tr;
    bmqtt_status_t st;
    char id[40];
    int sent = 0, step = 0, i, ok;
    uint32_t t0, t_conn = 0, t_end;
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

    t0 = now_ms();
    bmqtt_lwip_init(&s);
    st = bmqtt_lwip_connect(&s, opt_broker, (uint16_t)opt_port, 10000);
    printf("     TCP connect through lwIP to [%s]:%d: %s (%u ms)\n", opt_broker, opt_port, bmqtt_status_str(st),
           (unsigned)(now_ms() - t0));
    if (st != BMQTT_OK) {
        check(0, "TCP connect");
        return 1;
    }
    bmqtt_lwip_transport(&s, &tcp);
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
    /* On an impaired link lwIP's retransmission backoff can hold every byte for more than the
     * default 10 s (see tests/lwip_raw): slow, not dead. */
    if (opt_loss_in || opt_loss_out || opt_delay_ms) cc.response_timeout_ms = 40000u;
    memset(&f, 0, sizeof f);
    snprintf(id, sizeof id, "bmqtt-lwip-%u", (unsigned)now_ms());
    f.client_id = bmqtt_view_str(id);
    f.clean_session = 1;
    f.keepalive_s = 30;
    if (bmqtt_client_init(&c, &cc) != BMQTT_OK || bmqtt_client_connect(&c, &tr, &f, now_ms()) != BMQTT_OK) {
        check(0, "client init/connect");
        return 1;
    }

    t_end = t0 + (uint32_t)opt_deadline * 1000u;
    while ((int32_t)(t_end - now_ms()) > 0) {
        st = bmqtt_client_poll(&c, now_ms());
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
            printf("     poll -> %s (%d), step %d, lwIP errno %d\n", bmqtt_status_str(st), (int)st, step, s.last_errno);
            break;
        }
        if (st == BMQTT_OK && step == 0) {
            t_conn = now_ms();
            if (opt_ca != NULL) {
                printf("     TLS handshake and CONNACK over lwIP: %u ms, %s\n", (unsigned)(t_conn - t0),
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
            while (sent < expect) {
                bmqtt_publish_t pub;
                memset(&pub, 0, sizeof pub);
                pub.topic = bmqtt_view_str(topic);
                if (big != NULL) {
                    pub.payload.ptr = big;
                    pub.payload.len = (size_t)opt_size;
                } else {
                    pub.payload = bmqtt_view_str(payloads[sent]);
                }
                pub.qos = (uint8_t)opt_qos;
                if (bmqtt_client_publish(&c, &pub, NULL) != BMQTT_OK) {
                    break; /* BUSY or in-flight table full: poll first */
                }
                sent++;
            }
            if (sent == expect && got + got_bad >= expect && (opt_qos == 0 || done == expect) &&
                bmqtt_client_tx_idle(&c)) {
                step = 3;
                break;
            }
        }
        if (!(opt_ca != NULL && bmqtt_tls_pending(&tls))) {
            (void)bmqtt_lwip_wait(&s, !bmqtt_client_tx_idle(&c), 20);
        }
    }
    t_end = now_ms();
    if (bmqtt_client_disconnect(&c) == BMQTT_WOULD_BLOCK) { /* graceful: the last acks, then DISCONNECT */
        uint32_t t_dis = now_ms();
        while (bmqtt_client_poll(&c, now_ms()) == BMQTT_WOULD_BLOCK && now_ms() - t_dis < 15000u) {
            (void)bmqtt_lwip_wait(&s, !bmqtt_client_tx_idle(&c), 20);
        }
    }
    if (opt_ca != NULL) {
        bmqtt_tls_free(&tls);
    }

    printf("     QoS %d: suback %d, %d/%d published, %d/%d acknowledged, %d/%d received back in order, %d unexpected, "
           "%u ms after CONNACK\n",
           opt_qos, suback, sent, expect, done, opt_qos == 0 ? 0 : expect, got, expect, got_bad,
           (unsigned)(t_end - t_conn));
    if (opt_loss_in || opt_loss_out || opt_delay_ms) {
        pthread_mutex_lock(&fq_mu);
        printf("     wire: %lu frames into lwIP (%lu dropped), %lu out (%lu dropped), %lu overflowed\n", st_in,
               st_drop_in, st_out, st_drop_out, st_overflow);
        pthread_mutex_unlock(&fq_mu);
    }
    ok = step == 3 && suback == opt_qos && sent == expect && got == expect && got_bad == 0 &&
         (opt_qos == 0 || done == expect);
    check(ok, "every message published, acknowledged and received back, in order, nothing else");
    printf("     port/lwip send: %lu calls, %lu returned BMQTT_WOULD_BLOCK\n", sends, sends_blocked);
    if (opt_ca != NULL) {
        check(t_conn != 0, "TLS over port/lwip: handshake and MQTT session");
    }
    if (big != NULL) {
        check(sends_blocked > 0, "lwIP's send buffer filled: some sends returned BMQTT_WOULD_BLOCK");
    }
    free(big);
    return failures == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    int i;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            fprintf(stderr, "%s needs a value\n", o);
            return 2;
        }
        if (strcmp(o, "--ip") == 0) {
            opt_ip = v;
        } else if (strcmp(o, "--mask") == 0) {
            opt_mask = v;
        } else if (strcmp(o, "--gw") == 0) {
            opt_gw = v;
        } else if (strcmp(o, "--ip6") == 0) {
            opt_ip6 = v;
        } else if (strcmp(o, "--broker") == 0) {
            opt_broker = v;
        } else if (strcmp(o, "--port") == 0) {
            opt_port = atoi(v);
        } else if (strcmp(o, "--qos") == 0) {
            opt_qos = atoi(v);
        } else if (strcmp(o, "--count") == 0) {
            opt_count = atoi(v);
        } else if (strcmp(o, "--size") == 0) {
            opt_size = atol(v);
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
        } else {
            fprintf(stderr, "unknown option %s\n", o);
            return 2;
        }
    }
    if (i >= argc || opt_count < 1 || opt_count > MAX_MSGS || opt_qos < 0 || opt_qos > 2) {
        fprintf(stderr, "usage: lwip_test [options] api|eof|pubsub TOPIC\n");
        return 2;
    }
    start_lwip();
    if (strcmp(argv[i], "api") == 0) {
        return api_case();
    }
    if (strcmp(argv[i], "eof") == 0) {
        return eof_case();
    }
    if (strcmp(argv[i], "pubsub") == 0 && i + 1 < argc) {
        return pubsub_case(argv[i + 1]);
    }
    fprintf(stderr, "unknown case %s\n", argv[i]);
    return 2;
}
