/* The client against a hostile server over real TCP on loopback.
 *
 *   itest_hostile [malformed.txt]      (run by tests/integration/run.sh under valgrind)
 *
 * A child process plays the server. For each case it accepts one connection,
 * reads the client's CONNECT, answers CONNACK, sends the case's bytes, checks
 * what the client answers where the case says so, closes its sending side and
 * waits for the client to close. The parent runs a real bmqtt client over the
 * POSIX port and checks the status that ends its session, byte for byte what it
 * delivered, and that it closed the connection itself.
 *
 * Cases: every row of the malformed table (the status bmqtt_decode gives it,
 * or BMQTT_ERR_CLOSED for a packet cut short: the server closes mid-packet), a
 * CONNACK sent before the CONNECT is read, SUBACK/UNSUBACK for ids never sent,
 * oversize remaining lengths, PUBLISH/PUBREL split into 1-byte TCP segments,
 * and servers that go quiet: no SUBACK, no PINGRESP, no reading at all (each
 * wait has a deadline: BMQTT_ERR_TIMEOUT or BMQTT_ERR_KEEPALIVE within the
 * response timeout), and Session Present 1 answering a clean session
 * [MQTT-3.2.2-1].
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bmqtt/client.h"
#include "bmqtt_posix.h"
#include "vectors.h"

#define MAX_CASES 256
#define CASE_MS 5000u
#define RESPONSE_MS 1000u /* the client's response timeout */

typedef struct hcase {
    char name[TV_KEY_MAX + 16];
    uint8_t bytes[1200]; /* sent after CONNACK */
    size_t len;
    int early;            /* CONNACK goes out on accept, before the CONNECT is read */
    int bytewise;         /* one byte per TCP segment */
    int request;          /* client first sends 1: SUBSCRIBE "a" (id 1), 2: UNSUBSCRIBE "a" (id 1) */
    const char *answer;   /* hex the client must send after the bytes, or NULL */
    bmqtt_status_t want;  /* status that ends the client's session */
    const char *message;  /* payload the client must deliver (whole), or NULL: none */
    const char *connack;  /* hex of the CONNACK, NULL: 20 02 00 00 */
    int hold;             /* the server keeps the connection open and silent after the bytes */
    int deaf;             /* the server stops reading after CONNACK (tiny buffers both sides) */
    uint16_t keepalive_s; /* the client's keepalive (0: none) */
    int want_request_event; /* the request must end with this event status (BMQTT_ERR_TIMEOUT...) */
    int want_rule;        /* the bmqtt_rule_t last_error() must name, or 0: not checked */
} hcase_t;

static hcase_t cases[MAX_CASES];
static size_t ncases;
static int case_done[2]; /* client -> server: a "deaf" case's session ended */

static hcase_t *add(const char *name, const char *hex, bmqtt_status_t want)
{
    hcase_t *c = &cases[ncases++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    if (hex && tv_hex_parse(hex, c->bytes, sizeof c->bytes, &c->len) != 0) {
        fprintf(stderr, "bad hex in case %s\n", name);
        exit(2);
    }
    c->want = want;
    return c;
}

/* --- the server (child process) ------------------------------------------- */

static int read_full(int fd, uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, p + got, n - got, 0);
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

/* One MQTT packet: returns its first byte, or -1. */
static int read_packet(int fd, uint8_t *body, size_t cap, size_t *len)
{
    uint8_t b, first;
    uint32_t rem = 0, mult = 1;
    if (read_full(fd, &first, 1)) return -1;
    for (int i = 0; i < 4; i++) {
        if (read_full(fd, &b, 1)) return -1;
        rem += (uint32_t)(b & 0x7F) * mult;
        mult *= 128;
        if (!(b & 0x80)) break;
    }
    if (rem > cap || read_full(fd, body, rem)) return -1;
    *len = rem;
    return first;
}

/* Wait for the client to close: EOF (or reset) before the timeout. */
static int await_close(int fd, const hcase_t *c)
{
    uint8_t body[1024];
    for (;;) {
        ssize_t r = recv(fd, body, sizeof body, 0);
        if (r == 0 || (r < 0 && errno == ECONNRESET)) return 0;
        if (r < 0) {
            fprintf(stderr, "server %s: the client did not close the connection\n", c->name);
            return -1;
        }
    }
}

static int serve_one(int fd, const hcase_t *c)
{
    uint8_t connack[8] = { 0x20, 0x02, 0x00, 0x00 };
    size_t connack_len = 4;
    uint8_t body[1024];
    size_t len;
    int first, one = 1;
    struct timeval tv = { CASE_MS / 1000, 0 };

    if (c->connack) (void)tv_hex_parse(c->connack, connack, sizeof connack, &connack_len);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (c->early && send(fd, connack, connack_len, MSG_NOSIGNAL) != (ssize_t)connack_len) return -1;
    if ((first = read_packet(fd, body, sizeof body, &len)) != 0x10) {
        fprintf(stderr, "server %s: expected CONNECT, got %d\n", c->name, first);
        return -1;
    }
    if (!c->early && send(fd, connack, connack_len, MSG_NOSIGNAL) != (ssize_t)connack_len) return -1;
    if (c->deaf) {
        int small = 2048;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        /* Read nothing: the client's bytes pile up until its transport takes none, and it must
         * give up within its response timeout. Its FIN waits behind the unread bytes (the
         * window is closed, and draining it waits for the sender's window probes, seconds),
         * so the client side says over a pipe when its session ended, having checked that
         * the client closed its socket. */
        struct pollfd pf = { case_done[0], POLLIN, 0 };
        char b;
        if (poll(&pf, 1, (int)CASE_MS) != 1 || read(case_done[0], &b, 1) != 1) {
            fprintf(stderr, "server %s: the client's session did not end\n", c->name);
            return -1;
        }
        return 0;
    }
    if (c->request) {
        int want = c->request == 1 ? 0x82 : 0xA2;
        if ((first = read_packet(fd, body, sizeof body, &len)) != want || len < 2 || body[0] != 0 || body[1] != 1) {
            fprintf(stderr, "server %s: expected request 0x%02X with id 1, got %d\n", c->name, want, first);
            return -1;
        }
    }
    for (size_t i = 0; i < c->len;) {
        size_t n = c->bytewise ? 1 : c->len - i;
        if (send(fd, c->bytes + i, n, MSG_NOSIGNAL) != (ssize_t)n) break; /* the client may close first */
        i += n;
        if (c->bytewise) {
            struct timespec ts = { 0, 1000000 };
            nanosleep(&ts, NULL);
        }
    }
    if (c->answer) {
        uint8_t want[64], got[64];
        size_t n;
        (void)tv_hex_parse(c->answer, want, sizeof want, &n);
        if (read_full(fd, got, n) || memcmp(got, want, n) != 0) {
            fprintf(stderr, "server %s: the client did not answer %s\n", c->name, c->answer);
            return -1;
        }
    }
    if (!c->hold) shutdown(fd, SHUT_WR); /* hold: silent, but open */
    return await_close(fd, c);
}

static int serve(int lfd)
{
    int bad = 0;
    for (size_t i = 0; i < ncases; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) return 1;
        bad += serve_one(fd, &cases[i]) != 0;
        close(fd);
    }
    return bad ? 1 : 0;
}

/* --- the client (parent) --------------------------------------------------- */

static char got[1024];
static size_t got_len;
static int got_messages, got_connacks, got_closed, got_requests;
static bmqtt_status_t request_status, closed_status;

static void on_event(void *user, const bmqtt_event_t *ev)
{
    const bmqtt_message_t *m = ev->message;
    (void)user;
    switch (ev->type) {
    case BMQTT_EVT_CONNACK:
        got_connacks++;
        break;
    case BMQTT_EVT_MESSAGE:
        if (m->offset == 0) got_messages++;
        if (m->offset + m->payload.len <= sizeof got) {
            memcpy(got + m->offset, m->payload.ptr, m->payload.len);
            got_len = m->offset + m->payload.len;
        }
        break;
    case BMQTT_EVT_SUBACK:
    case BMQTT_EVT_UNSUBACK:
        got_requests++;
        request_status = ev->status;
        break;
    case BMQTT_EVT_CLOSED:
        got_closed++;
        closed_status = ev->status;
        break;
    default:
        break;
    }
}

static int run_case(uint16_t port, const hcase_t *hc)
{
    static uint8_t tx[256], rx[1024];
    static bmqtt_inflight_t slots[2];
    static uint16_t ids[2];
    bmqtt_client_config_t cfg;
    bmqtt_client_t c = { 0 }; /* zeroed: init reads it to refuse a live client */
    bmqtt_posix_t s;
    bmqtt_transport_t tr;
    bmqtt_connect_t f;
    bmqtt_status_t st;
    int asked = 0;
    uint32_t t0 = bmqtt_posix_now_ms();

    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buf = tx, cfg.tx_size = sizeof tx, cfg.rx_buf = rx, cfg.rx_size = sizeof rx;
    cfg.inflight = slots, cfg.inflight_count = 2, cfg.qos2_ids = ids, cfg.qos2_count = 2;
    cfg.response_timeout_ms = RESPONSE_MS;
    cfg.on_event = on_event;
    memset(&f, 0, sizeof f);
    f.client_id = bmqtt_view_str("hostile");
    f.clean_session = 1;
    f.keepalive_s = hc->keepalive_s;
    got_len = 0;
    got_messages = got_connacks = got_closed = got_requests = 0;
    request_status = closed_status = BMQTT_OK;

    bmqtt_posix_init(&s);
    if (bmqtt_posix_connect(&s, "127.0.0.1", port, 2000) != BMQTT_OK) return printf("FAIL %s: tcp connect\n", hc->name), 1;
    if (hc->deaf) {
        int small = 4096;
        setsockopt(bmqtt_posix_fd(&s), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    }
    bmqtt_posix_transport(&s, &tr);
    if (bmqtt_client_init(&c, &cfg) != BMQTT_OK || bmqtt_client_connect(&c, &tr, &f, t0) != BMQTT_OK) {
        bmqtt_posix_close(&s);
        return printf("FAIL %s: client setup\n", hc->name), 1;
    }
    for (;;) {
        uint32_t now = bmqtt_posix_now_ms();
        st = bmqtt_client_poll(&c, now);
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) break;
        if (st == BMQTT_OK && hc->deaf) { /* QoS 0 readings as fast as tx_buf takes them */
            static const uint8_t reading[200];
            bmqtt_publish_t p = { .topic = BMQTT_VIEW_LIT("r"), .payload = { reading, sizeof reading } };
            while (bmqtt_client_publish(&c, &p, NULL) == BMQTT_OK) { }
        }
        if (st == BMQTT_OK && hc->request && !asked) {
            bmqtt_subscription_t sub = { BMQTT_VIEW_LIT("a"), 0 };
            bmqtt_view_t filter = BMQTT_VIEW_LIT("a");
            bmqtt_status_t r = hc->request == 1 ? bmqtt_client_subscribe(&c, &sub, 1, NULL)
                                                : bmqtt_client_unsubscribe(&c, &filter, 1, NULL);
            if (r == BMQTT_OK) asked = 1;
        }
        if (now - t0 > CASE_MS) {
            bmqtt_client_abort(&c);
            if (hc->deaf) (void)!write(case_done[1], "x", 1);
            return printf("FAIL %s: no end of session in %u ms\n", hc->name, CASE_MS), 1;
        }
        {
            uint32_t d = bmqtt_client_sleep_ms(&c, now);
            (void)bmqtt_posix_wait(&s, !bmqtt_client_tx_idle(&c), d < 50 ? d : 50);
        }
    }
    if (hc->deaf) (void)!write(case_done[1], "x", 1);
    if (bmqtt_posix_fd(&s) != -1) {
        bmqtt_posix_close(&s);
        return printf("FAIL %s: status %d but the client left the connection open\n", hc->name, st), 1;
    }
    if (st != hc->want) {
        return printf("FAIL %s: status %d (%s; %s), expected %d (%s)\n", hc->name, st, bmqtt_status_str(st),
                      bmqtt_client_rule_str(bmqtt_client_last_error(&c).rule), hc->want, bmqtt_status_str(hc->want)), 1;
    }
    if (hc->message ? (got_messages != 1 || got_len != strlen(hc->message) || memcmp(got, hc->message, got_len))
                    : got_messages != 0) {
        return printf("FAIL %s: delivered %d message(s), last %.*s\n", hc->name, got_messages, (int)got_len, got), 1;
    }
    if (hc->want_rule && bmqtt_client_last_error(&c).rule != hc->want_rule) {
        return printf("FAIL %s: rule %s\n", hc->name, bmqtt_client_rule_str(bmqtt_client_last_error(&c).rule)), 1;
    }
    /* The session's end is one CLOSED event with the status poll returned. */
    if (got_closed != 1 || closed_status != st) {
        return printf("FAIL %s: %d CLOSED event(s), status %d\n", hc->name, got_closed, closed_status), 1;
    }
    /* A request made ends with exactly one SUBACK/UNSUBACK event. */
    if (asked && (got_requests != 1 || (hc->want_request_event && request_status != hc->want_request_event))) {
        return printf("FAIL %s: %d request event(s), status %d\n", hc->name, got_requests, request_status), 1;
    }
    /* Deadlines hold: a quiet server is given up on within the response timeout (plus the keepalive's 3/4). */
    if (hc->hold || hc->deaf) {
        uint32_t took = bmqtt_posix_now_ms() - t0;
        uint32_t limit = RESPONSE_MS + (uint32_t)hc->keepalive_s * 750u + 500u;
        if (took > limit) return printf("FAIL %s: took %u ms, limit %u ms\n", hc->name, took, limit), 1;
    }
    return 0;
}

/* --- cases ------------------------------------------------------------------ */

#define CLIENT_ONLY ((1u << BMQTT_CONNECT) | (1u << BMQTT_SUBSCRIBE) | (1u << BMQTT_UNSUBSCRIBE) | \
                     (1u << BMQTT_PINGREQ) | (1u << BMQTT_DISCONNECT))

static void add_malformed_rows(const char *path)
{
    tv_table_t t;
    if (tv_table_load(path, &t) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    for (size_t i = 0; i < t.count; i++) {
        int want;
        hcase_t *c;
        char name[TV_KEY_MAX + 16];
        if (tv_status_from_name(t.rows[i].key, &want) != 0 || t.rows[i].len > sizeof c->bytes) {
            fprintf(stderr, "%s:%u: unusable row\n", path, t.rows[i].line);
            exit(2);
        }
        snprintf(name, sizeof name, "malformed:%u", t.rows[i].line);
        /* A packet cut short is only known as such when the server closes. A
         * complete packet that only a client sends (CONNECT, SUBSCRIBE...) is
         * refused as such, its body unread. */
        if (want == BMQTT_NEED_MORE) {
            want = BMQTT_ERR_CLOSED;
        } else if (want != BMQTT_ERR_BAD_VARINT && bmqtt_first_byte_check(t.rows[i].bytes[0]) == BMQTT_OK &&
                   ((CLIENT_ONLY >> (t.rows[i].bytes[0] >> 4)) & 1u)) {
            want = BMQTT_ERR_PROTOCOL;
        }
        c = add(name, NULL, (bmqtt_status_t)want);
        memcpy(c->bytes, t.rows[i].bytes, t.rows[i].len);
        c->len = t.rows[i].len;
    }
    tv_table_free(&t);
}

static void add_cases(const char *malformed)
{
    hcase_t *c;
    add_malformed_rows(malformed);

    /* CONNACK before the CONNECT was read: the client sent its CONNECT at once
     * and reads nothing before it is out, so the session is simply up. */
    c = add("connack_before_connect", "30 05 00 01 74 68 69", BMQTT_ERR_CLOSED);
    c->early = 1;
    c->message = "hi";
    c = add("connack_before_connect_then_second_connack", "20 02 00 00", BMQTT_ERR_PROTOCOL);
    c->early = 1;

    c = add("suback_unknown_id", "90 03 00 02 00", BMQTT_ERR_PROTOCOL);
    c->request = 1;
    c = add("suback_too_many_codes", "90 04 00 01 00 00", BMQTT_ERR_PROTOCOL);
    c->request = 1;
    c = add("suback_to_unsubscribe", "90 03 00 01 00", BMQTT_ERR_PROTOCOL);
    c->request = 2;
    c = add("unsuback_unknown_id", "B0 02 00 02", BMQTT_ERR_PROTOCOL);
    c->request = 2;
    c = add("unsuback_to_subscribe", "B0 02 00 01", BMQTT_ERR_PROTOCOL);
    c->request = 1;
    c = add("suback_right_id", "90 03 00 01 00", BMQTT_ERR_CLOSED);
    c->request = 1;

    /* Oversize remaining lengths. Anything but a PUBLISH larger than the
     * 1024-byte receive buffer is refused from its fixed header alone, before a
     * byte of its body is read (so a PINGRESP of 268 MB is "too large", not
     * "malformed"). A PUBLISH that large is streamed in buffer-sized chunks, so
     * a server that stops mid-message gets nothing delivered: no chunk was
     * complete. A topic longer than the whole buffer cannot be streamed. */
    add("oversize_suback", "90 FF FF FF 7F 00 01 00", BMQTT_ERR_PACKET_TOO_LARGE);
    add("oversize_pingresp", "D0 FF FF FF 7F", BMQTT_ERR_PACKET_TOO_LARGE);
    add("oversize_publish_cut_short", "30 FF FF FF 7F 00 01 74 68 69", BMQTT_ERR_CLOSED);
    {
        static char hex[3 * 1200];
        size_t n = 0;
        n += (size_t)snprintf(hex + n, sizeof hex - n, "30 FF FF 0F FF FF"); /* 262,143 bytes, topic 65,535 */
        for (int i = 0; i < 1100; i++) n += (size_t)snprintf(hex + n, sizeof hex - n, " 61");
        add("oversize_topic", hex, BMQTT_ERR_PACKET_TOO_LARGE);
    }

    /* 1-byte TCP segments: every state of the framer meets a segment edge. */
    c = add("publish_qos1_bytewise", "32 0E 00 03 61 2F 62 00 05 68 65 6C 6C 6F 21 21", BMQTT_ERR_CLOSED);
    c->bytewise = 1;
    c->message = "hello!!";
    c->answer = "40 02 00 05";
    c = add("publish_qos2_and_pubrel_bytewise", "34 08 00 01 74 12 34 78 79 7A 62 02 12 34", BMQTT_ERR_CLOSED);
    c->bytewise = 1;
    c->message = "xyz";
    c->answer = "50 02 12 34 70 02 12 34";
    c = add("malformed_publish_bytewise", "30 04 00 FF 41 42", BMQTT_ERR_BAD_LENGTH);
    c->bytewise = 1;

    /* Servers that go quiet. Every wait has a deadline (client.h). */
    c = add("no_suback", NULL, BMQTT_ERR_TIMEOUT); /* the SUBACK event says TIMEOUT, then the session ends */
    c->request = 1;
    c->hold = 1;
    c->want_request_event = BMQTT_ERR_TIMEOUT;
    c->want_rule = BMQTT_RULE_NO_ANSWER;
    c = add("no_unsuback", NULL, BMQTT_ERR_TIMEOUT);
    c->request = 2;
    c->hold = 1;
    c->want_request_event = BMQTT_ERR_TIMEOUT;
    c->want_rule = BMQTT_RULE_NO_ANSWER;
    c = add("no_pingresp", NULL, BMQTT_ERR_KEEPALIVE); /* PINGREQ after 750 ms, no answer */
    c->keepalive_s = 1;
    c->hold = 1;
    c->want_rule = BMQTT_RULE_NO_PINGRESP;
    c = add("stops_reading", NULL, BMQTT_ERR_TIMEOUT); /* bytes the transport does not take */
    c->deaf = 1;
    c->want_rule = BMQTT_RULE_STALLED;
    c = add("no_connack", NULL, BMQTT_ERR_TIMEOUT);
    c->connack = "";
    c->hold = 1;
    c->want_rule = BMQTT_RULE_NO_CONNACK;
    /* Session Present 1 answering clean session 1 [MQTT-3.2.2-1]. */
    c = add("session_present_after_clean_session", NULL, BMQTT_ERR_PROTOCOL);
    c->connack = "20 02 01 00";
    c->want_rule = BMQTT_RULE_SESSION_PRESENT;
}

int main(int argc, char **argv)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int lfd, failed = 0, status = 0;
    pid_t child;

    add_cases(argc > 1 ? argv[1] : "tests/vectors/malformed.txt");
    signal(SIGPIPE, SIG_IGN);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 4) ||
        getsockname(lfd, (struct sockaddr *)&a, &alen)) {
        perror("listen");
        return 2;
    }
    if (pipe(case_done) != 0) {
        perror("pipe");
        return 2;
    }
    fflush(NULL);
    if ((child = fork()) == 0) {
        close(case_done[1]);
        _exit(serve(lfd));
    }
    close(lfd);
    close(case_done[0]);
    for (size_t i = 0; i < ncases; i++) failed += run_case(ntohs(a.sin_port), &cases[i]);
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("FAIL the server saw a client misbehave (see above)\n");
        failed++;
    }
    printf("hostile: %zu cases, %d failed\n", ncases, failed);
    return failed ? 1 : 0;
}
