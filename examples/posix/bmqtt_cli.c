/* bmqtt-cli: publish and subscribe from the command line with the bmqtt
 * client on the POSIX port. Example code: it shows the poll loop, caller-owned
 * buffers and tables, and reconnect with a persistent session.
 *
 * stderr carries one line per event ("connected ...", "subscribed ...", with
 * -d also "sent ..." and "message ..."); errors end in "(<status number>)".
 * Exit: 0 done, 1 error, 2 bad command line, 3 -W timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bmqtt/client.h"
#include "bmqtt_posix.h"
#include "bmqtt_tls.h"
#include "cli_args.h"

#define LINE_MAX_BYTES 4096
#define MAX_INFLIGHT 256

static cli_args_t args;
static bmqtt_posix_t sock;
static bmqtt_transport_t tcp_tr, tr;
static bmqtt_tls_t tls;
static int use_tls, tls_ready;
static bmqtt_client_t client;
static bmqtt_client_config_t cfg;
static uint8_t txbuf[LINE_MAX_BYTES + 512];
static uint8_t *rxbuf;
static bmqtt_inflight_t slots[MAX_INFLIGHT];
static uint16_t qos2_ids[MAX_INFLIGHT];
static char client_id[64];

/* Publisher: one message copy per in-flight slot, freed by on_publish_done. */
static char store[MAX_INFLIGHT][LINE_MAX_BYTES];
static uint16_t store_id[MAX_INFLIGHT]; /* 0: free */

/* Subscriber state. */
static long received;
static int chunks;
static int suback_code = -1;

static void die(const char *what, bmqtt_status_t st)
{
    fprintf(stderr, "bmqtt-cli: %s: %s (%d)\n", what, bmqtt_status_str(st), (int)st);
    bmqtt_client_abort(&client);
    bmqtt_posix_close(&sock);
    exit(1);
}

static void on_message(void *user, const bmqtt_message_t *m)
{
    (void)user;
    if (m->offset == 0) chunks = 0;
    chunks++;
    if (m->offset == 0 && args.verbose) printf("%.*s ", (int)m->topic.len, (const char *)m->topic.ptr);
    fwrite(m->payload.ptr, 1, m->payload.len, stdout);
    if (m->offset + m->payload.len < m->total) return;
    if (!args.raw) putchar('\n');
    fflush(stdout);
    received++;
    if (args.debug) {
        fprintf(stderr, "message topic=%.*s qos=%u retain=%u dup=%u len=%u chunks=%d\n", (int)m->topic.len,
                (const char *)m->topic.ptr, m->qos, m->retain, m->dup, (unsigned)m->total, chunks);
    }
}

static void on_suback(void *user, uint16_t id, bmqtt_view_t codes)
{
    (void)user;
    (void)id;
    suback_code = codes.len ? codes.ptr[0] : 0x80;
}

static void on_done(void *user, uint16_t id)
{
    (void)user;
    for (int i = 0; i < MAX_INFLIGHT; i++) {
        if (store_id[i] == id) store_id[i] = 0;
    }
}

/* One poll step: sleep on the socket for at most @p ms, then poll. */
static bmqtt_status_t step(uint32_t ms)
{
    (void)bmqtt_posix_wait(&sock, !bmqtt_client_tx_idle(&client), ms);
    return bmqtt_client_poll(&client, bmqtt_posix_now_ms());
}

static char *read_file(const char *path, size_t *len);

/* TLS from the command-line files: PEM files are passed with their NUL. */
static bmqtt_status_t tls_setup(void)
{
    static bmqtt_tls_config_t tc;
    static char alpn[128];
    size_t n;
    int k = 0;

    memset(&tc, 0, sizeof tc);
    tc.host = args.host;
    tc.insecure = (uint8_t)args.insecure;
    if (args.cafile) {
        tc.ca = (const uint8_t *)read_file(args.cafile, &n);
        tc.ca_len = n + 1;
    }
    if (args.cert) {
        tc.cert = (const uint8_t *)read_file(args.cert, &n);
        tc.cert_len = n + 1;
        tc.key = (const uint8_t *)read_file(args.key, &n);
        tc.key_len = n + 1;
    }
    if (args.alpn) {
        snprintf(alpn, sizeof alpn, "%s", args.alpn);
        for (char *p = strtok(alpn, ","); p && k < BMQTT_TLS_ALPN_MAX; p = strtok(NULL, ",")) tc.alpn[k++] = p;
    }
    bmqtt_tls_init(&tls);
    return bmqtt_tls_setup(&tls, &tc, &tcp_tr);
}

/* TCP connect, CONNECT, wait for CONNACK. */
static bmqtt_status_t session(void)
{
    bmqtt_connect_t f;
    bmqtt_status_t st;

    memset(&f, 0, sizeof f);
    f.client_id = bmqtt_view_str(client_id);
    f.username = bmqtt_view_str(args.user);
    f.password = bmqtt_view_str(args.password);
    f.keepalive_s = args.keepalive;
    f.clean_session = args.clean_session;
    if (args.will_topic) {
        f.will_topic = bmqtt_view_str(args.will_topic);
        f.will_payload = bmqtt_view_str(args.will_message ? args.will_message : "");
        f.will_qos = args.will_qos;
        f.will_retain = args.will_retain;
    }
    if ((st = bmqtt_posix_connect(&sock, args.host, args.port, 5000)) != BMQTT_OK) return st;
    bmqtt_posix_transport(&sock, &tcp_tr);
    tr = tcp_tr;
    if (use_tls) {
        /* TLS wraps the TCP transport; the client's polls drive the handshake. */
        st = tls_ready ? bmqtt_tls_reset(&tls) : tls_setup();
        if (st != BMQTT_OK) return st;
        tls_ready = 1;
        bmqtt_tls_transport(&tls, &tr);
    }
    if ((st = bmqtt_client_connect(&client, &tr, &f, bmqtt_posix_now_ms())) != BMQTT_OK) return st;
    while ((st = step(100)) == BMQTT_WOULD_BLOCK) {
    }
    if (st == BMQTT_OK) fprintf(stderr, "connected as %s (session present: %u)\n", client_id,
                                 bmqtt_client_session_present(&client));
    return st;
}

static void connect_or_die(void)
{
    bmqtt_status_t st = session();
    if (st != BMQTT_OK) die("connect", st);
}

/* After a loss with --reconnect: try again for up to a minute. */
static void reconnect(bmqtt_status_t why)
{
    uint32_t start = bmqtt_posix_now_ms();
    fprintf(stderr, "connection lost: %s (%d); reconnecting\n", bmqtt_status_str(why), (int)why);
    for (;;) {
        bmqtt_status_t st = session();
        if (st == BMQTT_OK) return;
        if (bmqtt_posix_now_ms() - start > 60000u) die("reconnect", st);
        usleep(200 * 1000);
    }
}

/* Poll until @p done() or an error; with --reconnect, errors reconnect. */
static void run_until(int (*done)(void), uint32_t deadline_ms)
{
    while (!done()) {
        bmqtt_status_t st = step(50);
        if (st != BMQTT_OK) {
            if (!args.reconnect) die("session", st);
            reconnect(st);
        }
        if (deadline_ms && (int32_t)(bmqtt_posix_now_ms() - deadline_ms) >= 0) {
            fprintf(stderr, "bmqtt-cli: timed out\n");
            exit(3);
        }
    }
}

static int tx_idle(void)
{
    return bmqtt_client_tx_idle(&client);
}

static int all_done(void)
{
    return bmqtt_client_tx_idle(&client) && bmqtt_client_inflight(&client) == 0;
}

static int free_slot_available(void)
{
    if (!bmqtt_client_tx_idle(&client)) return 0;
    for (int i = 0; i < (int)args.inflight; i++) {
        if (store_id[i] == 0) return 1;
    }
    return 0;
}

static void publish_one(const char *data, size_t len)
{
    bmqtt_publish_t p;
    uint16_t id = 0;
    int slot = -1;
    bmqtt_status_t st;

    run_until(free_slot_available, 0);
    for (int i = 0; i < (int)args.inflight && slot < 0; i++) {
        if (store_id[i] == 0) slot = i;
    }
    memset(&p, 0, sizeof p);
    p.topic = bmqtt_view_str(args.topic);
    p.qos = args.qos;
    p.retain = args.retain;
    p.payload.len = len;
    if (len <= LINE_MAX_BYTES) {
        memcpy(store[slot], data, len); /* the client sends from this memory until done */
        p.payload.ptr = (const uint8_t *)store[slot];
    } else {
        p.payload.ptr = (const uint8_t *)data; /* a file: stays in memory until exit */
    }
    for (;;) {
        st = bmqtt_client_publish(&client, &p, &id);
        if (st == BMQTT_OK) break;
        if (st != BMQTT_ERR_BUSY && st != BMQTT_ERR_INFLIGHT_FULL && st != BMQTT_ERR_NOT_CONNECTED) die("publish", st);
        run_until(tx_idle, 0);
        if (st == BMQTT_ERR_NOT_CONNECTED) reconnect(st);
    }
    if (args.qos) store_id[slot] = id;
    if (args.debug) fprintf(stderr, "sent id=%u len=%zu\n", id, len);
    if (args.qos == 0) run_until(tx_idle, 0); /* QoS 0 payload is sent from store[] */
    if (args.interval_ms) {
        uint32_t until = bmqtt_posix_now_ms() + (uint32_t)args.interval_ms;
        while ((int32_t)(bmqtt_posix_now_ms() - until) < 0) {
            bmqtt_status_t s2 = step(5);
            if (s2 != BMQTT_OK) {
                if (!args.reconnect) die("session", s2);
                reconnect(s2);
            }
        }
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "bmqtt-cli: cannot read %s\n", path);
        exit(1);
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "bmqtt-cli: cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int cmd_pub(void)
{
    connect_or_die();
    if (args.lines) {
        static char line[LINE_MAX_BYTES + 2];
        while (fgets(line, sizeof line, stdin)) {
            size_t n = strlen(line);
            if (n && line[n - 1] == '\n') line[--n] = 0;
            publish_one(line, n);
        }
    } else {
        size_t len = 0;
        const char *data = "";
        if (args.file) {
            data = read_file(args.file, &len);
        } else if (args.message) {
            data = args.message;
            len = strlen(data);
        }
        for (long i = 0; i < args.repeat; i++) publish_one(data, len);
    }
    run_until(all_done, 0);
    bmqtt_client_disconnect(&client);
    bmqtt_posix_close(&sock);
    return 0;
}

static int subscribed(void)
{
    return suback_code >= 0;
}

static int count_reached(void)
{
    return args.count && received >= args.count;
}

static int cmd_sub(void)
{
    uint32_t deadline = 0;
    if (args.timeout_s > 0) deadline = bmqtt_posix_now_ms() + (uint32_t)(args.timeout_s * 1000.0);
    if (deadline == 0 && args.timeout_s > 0) deadline = 1;
    connect_or_die();
    if (!args.no_subscribe) {
        bmqtt_subscription_t s;
        bmqtt_status_t st;
        s.filter = bmqtt_view_str(args.topic);
        s.qos = args.qos;
        if ((st = bmqtt_client_subscribe(&client, &s, 1, NULL)) != BMQTT_OK) die("subscribe", st);
        run_until(subscribed, deadline);
        if (suback_code == BMQTT_SUBACK_FAILURE) die("subscribe refused by the broker", BMQTT_ERR_PROTOCOL);
        fprintf(stderr, "subscribed to %s (granted QoS %d)\n", args.topic, suback_code);
    }
    if (args.subscribe_only) {
        bmqtt_client_disconnect(&client);
        return 0;
    }
    run_until(count_reached, deadline);
    if (args.linger_s > 0) {
        uint32_t until = bmqtt_posix_now_ms() + (uint32_t)(args.linger_s * 1000.0);
        while ((int32_t)(bmqtt_posix_now_ms() - until) < 0) {
            bmqtt_status_t st = step(20);
            if (st != BMQTT_OK) die("session", st);
        }
    }
    run_until(all_done, deadline); /* our last PUBACK/PUBCOMP goes out before DISCONNECT */
    bmqtt_client_disconnect(&client);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = cli_parse(argc, argv, &args);
    if (rc != 0) return rc;
    if (args.inflight > MAX_INFLIGHT) args.inflight = MAX_INFLIGHT;
    if (args.client_id) {
        snprintf(client_id, sizeof client_id, "%s", args.client_id);
    } else {
        snprintf(client_id, sizeof client_id, "bmqtt-cli-%ld", (long)getpid());
    }
    rxbuf = malloc(args.rx_size);
    if (rxbuf == NULL) return 1;
    cfg.tx_buf = txbuf;
    cfg.tx_size = sizeof txbuf;
    cfg.rx_buf = rxbuf;
    cfg.rx_size = args.rx_size;
    cfg.inflight = slots;
    cfg.inflight_count = (uint16_t)args.inflight;
    cfg.qos2_ids = qos2_ids;
    cfg.qos2_count = MAX_INFLIGHT;
    cfg.on_message = on_message;
    cfg.on_suback = on_suback;
    cfg.on_publish_done = on_done;
    bmqtt_posix_init(&sock);
    use_tls = args.cafile || args.cert || args.insecure || args.alpn;
    if (bmqtt_client_init(&client, &cfg) != BMQTT_OK) return 1;
    rc = args.mode == CLI_PUB ? cmd_pub() : cmd_sub();
    bmqtt_posix_close(&sock);
    if (tls_ready) bmqtt_tls_free(&tls);
    free(rxbuf);
    return rc;
}
