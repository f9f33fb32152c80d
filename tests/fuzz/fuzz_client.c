/* libFuzzer harness: the client session, its transmit queue and outbox, against
 * a broker the input scripts.
 *
 * The input is a program. Its first bytes choose the configuration (tx_buf,
 * rx_buf and outbox sizes, table sizes, request table or the built-in entry);
 * the rest is a list of operations: publish at QoS 0/1/2 (copied, through the
 * outbox, or by reference; payloads up to 700 bytes, so some are larger than
 * tx_buf), subscribe, unsubscribe, disconnect, abort, connect again (clean
 * session 0 or 1), time passing, the transport's accept size and would-blocks,
 * the link dropping, and the broker's side: a CONNACK, acks for what the client
 * sent, PUBLISH/PUBREL to the client (some larger than rx_buf), or raw bytes.
 *
 * Invariants, checked as it runs (abort() on a violation):
 *  - nothing reads or writes outside a buffer (ASan/UBSan), every event view
 *    lies in rx_buf, and chunks of a message add up;
 *  - what the client sends is a stream of valid MQTT packets, decoded with the
 *    codec's framer and decoder: CONNECT first on each connection and only
 *    there, nothing after DISCONNECT; each QoS 0 PUBLISH is the oldest QoS 0
 *    message accepted on this connection, byte for byte; each QoS 1/2 PUBLISH
 *    is a message in flight with its original topic and payload (the caller's
 *    buffer is scribbled over right after publish when the message was copied),
 *    in order of publication on each connection [MQTT-4.6.0-1], with DUP once it
 *    was on the wire before [MQTT-3.3.1-1]; a PUBREL names a QoS 2 message the
 *    broker sent PUBREC for;
 *  - every accepted QoS 1/2 message ends with exactly one PUBLISH_DONE;
 *    BMQTT_ERR_SESSION_ENDED only when a clean session ends (or a clean
 *    session begins); at the end the harness connects once more with clean
 *    session 1, lets the queue out and aborts, and then no message may remain
 *    (bmqtt_client_inflight() 0, no PUBLISH_DONE missing);
 *  - an incoming QoS 2 message is delivered at most once until its PUBREL or
 *    the session's loss [MQTT-4.3.3-2];
 *  - one CLOSED event per session, bmqtt_client_inflight() always equals the
 *    messages the harness counts open, and the queries agree with each other
 *    (tx_idle means all of tx_buf is free; no deadline once closed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/client.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)
#ifdef FUZZ_TRACE /* -DFUZZ_TRACE: what happens, on stderr, to read a reproducer */
#include <stdio.h>
#define TRACE(...) fprintf(stderr, __VA_ARGS__)
#else
#define TRACE(...) ((void)0)
#endif
#define MAXREC 8
#define MAXQ0 64
#define PAYMAX 700

/* ---- input ---------------------------------------------------------------- */

static const uint8_t *in_p;
static size_t in_n;

static unsigned take(void)
{
    if (in_n == 0) return 0;
    in_n--;
    return *in_p++;
}

/* ---- the client's memory --------------------------------------------------- */

static uint8_t tx[256], rx[200], outbox[700];
static size_t box_size; /* 0: no outbox */
static bmqtt_inflight_t slots[4];
static uint16_t ids2[3];
static bmqtt_request_t reqs[2];
static bmqtt_client_config_t cfg;
static bmqtt_client_t cli;
static bmqtt_transport_t tr;

/* ---- the harness's view of the session ---------------------------------------- */

typedef struct rec {
    int used;
    uint16_t id;
    uint32_t seq;    /* order of publication: payload and topic derive from it */
    uint8_t qos;
    uint8_t by_ref;  /* the client reads buf until PUBLISH_DONE */
    uint8_t seen;    /* on the wire at least once */
    uint8_t pubrec;  /* the broker sent PUBREC for it on this connection */
    uint16_t len;
    char topic[4];
    uint8_t buf[PAYMAX];
} rec_t;

static rec_t recs[MAXREC];
static rec_t *publishing; /* the record of the publish() call under way: it sends at once */
static int open_count;
static uint32_t next_seq;
static uint32_t q0[MAXQ0]; /* QoS 0 messages accepted on this connection, oldest first: seq << 16 | len */
static size_t q0_head, q0_tail;
static uint8_t q0_big[2][PAYMAX]; /* large QoS 0 payloads, read by the client after publish returns */
static int q0_big_busy = -1;
static uint8_t scratch[PAYMAX];

static int connected_tr; /* a connect succeeded and its session did not end yet */
static int closed_events, sessions;
static uint8_t clean_now;
static uint32_t now;
static uint8_t delivered2[65536 / 8];

/* The client's stream as the broker parses it. */
static bmqtt_framer_t fr;
static uint8_t pkt[PAYMAX + 64];
static size_t pkt_len;
static int conn_packets, conn_ended;
static uint32_t last_pub_seq;
static int last_pub_valid;
/* What the broker could answer: the client's requests and QoS 1/2 messages seen. */
static uint16_t sub_ids[8], sub_counts[8], unsub_ids[8];
static size_t nsub, nunsub;
static uint16_t rec_ids[16]; /* PUBREC the client sent: the broker may PUBREL them */
static size_t nrec_ids;

/* The transport. */
static uint8_t to_client[4096];
static size_t tc_len, tc_pos;
static size_t accept_max, chunk;
static int would_block, link_dead;

static void pattern(uint8_t *p, uint32_t seq, size_t len)
{
    for (size_t i = 0; i < len; i++) p[i] = (uint8_t)(seq * 31u + i);
}

static int pattern_ok(const uint8_t *p, uint32_t seq, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != (uint8_t)(seq * 31u + i)) return 0;
    }
    return 1;
}

static rec_t *rec_by_id(uint16_t id)
{
    for (int i = 0; i < MAXREC; i++) {
        if (recs[i].used && recs[i].id == id) return &recs[i];
    }
    return NULL;
}

/* A decoded packet from the client. */
static void client_packet(const bmqtt_packet_t *p)
{
    TRACE("  client sent type %u flags %X (packet %d of this connection)\n", p->type, p->flags, conn_packets);
    CHECK(!conn_ended); /* nothing after DISCONNECT [MQTT-3.14.4-1] */
    CHECK((conn_packets++ == 0) == (p->type == BMQTT_CONNECT)); /* CONNECT first, once [MQTT-3.1.0-1, -2] */
    switch (p->type) {
    case BMQTT_CONNECT:
        CHECK(p->u.connect.clean_session == clean_now);
        break;
    case BMQTT_PUBLISH: {
        const bmqtt_publish_t *m = &p->u.publish;
        if (m->qos == 0) {
            uint32_t e;
            CHECK(q0_head != q0_tail);
            e = q0[q0_head++ % MAXQ0];
            CHECK(m->payload.len == (e & 0xFFFFu) && pattern_ok(m->payload.ptr, e >> 16, m->payload.len));
            CHECK(m->topic.len == 1 && m->topic.ptr[0] == 'z');
        } else {
            rec_t *r = rec_by_id(m->packet_id);
            if (r == NULL && publishing != NULL && publishing->id == 0) {
                r = publishing; /* sent from inside the publish() call: its id is news */
                r->id = m->packet_id;
            }
            CHECK(r != NULL && r->qos == m->qos);
            CHECK(m->topic.len == 3 && memcmp(m->topic.ptr, r->topic, 3) == 0);
            CHECK(m->payload.len == r->len && pattern_ok(m->payload.ptr, r->seq, r->len));
            if (r->seen) CHECK(m->dup); /* a re-delivery [MQTT-3.3.1-1] */
            r->seen = 1;
            CHECK(!last_pub_valid || r->seq > last_pub_seq); /* publication order [MQTT-4.6.0-1] */
            last_pub_seq = r->seq;
            last_pub_valid = 1;
        }
        break;
    }
    case BMQTT_PUBREL: {
        rec_t *r = rec_by_id(p->u.packet_id);
        CHECK(r != NULL && r->qos == 2 && r->seen);
        break;
    }
    case BMQTT_PUBREC:
        if (nrec_ids < 16) rec_ids[nrec_ids++] = p->u.packet_id;
        break;
    case BMQTT_PUBACK:
    case BMQTT_PUBCOMP:
    case BMQTT_PINGREQ:
        break;
    case BMQTT_SUBSCRIBE: { /* entries: length, filter, requested QoS */
        const bmqtt_view_t e = p->u.subscribe.entries;
        uint16_t count = 0;
        for (size_t i = 0; i + 2 <= e.len; count++) i += 2u + (size_t)(e.ptr[i] << 8 | e.ptr[i + 1]) + 1u;
        CHECK(count >= 1);
        if (nsub < 8) sub_ids[nsub] = p->u.subscribe.packet_id, sub_counts[nsub++] = count;
        break;
    }
    case BMQTT_UNSUBSCRIBE:
        if (nunsub < 8) unsub_ids[nunsub++] = p->u.unsubscribe.packet_id;
        break;
    case BMQTT_DISCONNECT:
        conn_ended = 1;
        break;
    default:
        abort(); /* a client never sends anything else */
    }
}

/* Bytes the client sent: frame and decode them with the codec. */
static void client_bytes(const uint8_t *b, size_t n)
{
    while (n) {
        size_t used;
        bmqtt_status_t st = bmqtt_framer_feed(&fr, b, n, &used);
        CHECK(pkt_len + used <= sizeof pkt);
        memcpy(pkt + pkt_len, b, used);
        pkt_len += used;
        b += used;
        n -= used;
        CHECK(st == BMQTT_OK || st == BMQTT_NEED_MORE);
        if (st == BMQTT_OK) {
            bmqtt_packet_t p;
            CHECK(bmqtt_decode_body(fr.first_byte, pkt + fr.header_len, fr.remaining, &p) == BMQTT_OK);
            client_packet(&p);
            pkt_len = 0;
        }
    }
}

static int32_t f_send(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    TRACE("  send %zu%s\n", len, link_dead ? " (dead)" : would_block ? " (block)" : "");
    CHECK(connected_tr && len > 0);
    if (link_dead) return BMQTT_ERR_CLOSED;
    if (would_block) return BMQTT_WOULD_BLOCK;
    if (accept_max && len > accept_max) len = accept_max;
    client_bytes(buf, len);
    return (int32_t)len;
}

static int32_t f_recv(void *ctx, uint8_t *buf, size_t len)
{
    size_t n = tc_len - tc_pos;
    (void)ctx;
    CHECK(connected_tr && len > 0);
    if (n == 0) return link_dead ? BMQTT_ERR_CLOSED : BMQTT_WOULD_BLOCK;
    if (n > chunk) n = chunk;
    if (n > len) n = len;
    memcpy(buf, to_client + tc_pos, n);
    tc_pos += n;
    return (int32_t)n;
}

static void f_close(void *ctx)
{
    (void)ctx;
    TRACE("  close\n");
    CHECK(connected_tr);
    connected_tr = 0;
}

/* The broker sends @p n bytes. */
static void to_client_push(const uint8_t *b, size_t n)
{
    if (tc_pos == tc_len) tc_pos = tc_len = 0;
    if (n > sizeof to_client - tc_len) n = sizeof to_client - tc_len;
    memcpy(to_client + tc_len, b, n);
    tc_len += n;
}

static void push_ack(uint8_t type_flags, uint16_t id)
{
    uint8_t b[4] = { type_flags, 2, (uint8_t)(id >> 8), (uint8_t)id };
    to_client_push(b, 4);
}

static int inside(bmqtt_view_t v)
{
    return v.len == 0 || (v.ptr >= rx && v.ptr + v.len <= rx + sizeof rx);
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    rec_t *r;
    (void)user;
    TRACE("  event %d status %d id %u\n", (int)ev->type, (int)ev->status, ev->packet_id);
    switch (ev->type) {
    case BMQTT_EVT_CONNACK:
        if (!ev->session_present) memset(delivered2, 0, sizeof delivered2);
        break;
    case BMQTT_EVT_MESSAGE: {
        const bmqtt_message_t *m = ev->message;
        CHECK(inside(m->topic) && inside(m->payload) && m->offset + m->payload.len <= m->total);
        /* Once [MQTT-4.3.3-2]: a message counts as had with its last chunk (one cut halfway by
         * the session's end is delivered again, whole, when the broker resends it). */
        if (m->qos == 2 && m->offset == 0) CHECK(!(delivered2[m->packet_id / 8] & (1u << (m->packet_id % 8))));
        if (m->qos == 2 && m->offset + m->payload.len == m->total) {
            delivered2[m->packet_id / 8] |= (uint8_t)(1u << (m->packet_id % 8));
        }
        break;
    }
    case BMQTT_EVT_QOS2_DONE:
        delivered2[ev->packet_id / 8] &= (uint8_t)~(1u << (ev->packet_id % 8));
        break;
    case BMQTT_EVT_PUBLISH_DONE:
        r = rec_by_id(ev->packet_id);
        CHECK(r != NULL); /* exactly once: a second one finds no record */
        CHECK(ev->status == BMQTT_OK || ev->status == BMQTT_ERR_SESSION_ENDED);
        if (ev->status == BMQTT_ERR_SESSION_ENDED) CHECK(clean_now);
        if (ev->status == BMQTT_OK) CHECK(r->seen); /* acknowledged: it was on the wire */
        r->used = 0;
        open_count--;
        break;
    case BMQTT_EVT_SUBACK:
        CHECK(inside(ev->codes));
        break;
    case BMQTT_EVT_CLOSED:
        closed_events++;
        CHECK(!connected_tr); /* the transport is closed before the event */
        q0_head = q0_tail = 0;
        break;
    default:
        break;
    }
}

/* ---- operations ------------------------------------------------------------ */

static void new_connection_state(void)
{
    bmqtt_framer_init(&fr, 0);
    pkt_len = 0;
    conn_packets = conn_ended = 0;
    last_pub_valid = 0;
    nsub = nunsub = nrec_ids = 0;
    tc_len = tc_pos = 0;
    link_dead = 0;
    q0_head = q0_tail = 0;
    for (int i = 0; i < MAXREC; i++) recs[i].pubrec = 0;
}

static void do_connect(uint8_t clean, uint16_t keepalive)
{
    bmqtt_connect_t f;
    bmqtt_status_t st;
    if (bmqtt_client_state(&cli) == BMQTT_CLIENT_CONNECTING || bmqtt_client_state(&cli) == BMQTT_CLIENT_CONNECTED ||
        bmqtt_client_state(&cli) == BMQTT_CLIENT_DISCONNECTING) {
        return;
    }
    memset(&f, 0, sizeof f);
    f.client_id = bmqtt_view_str("f"); /* a 15-byte CONNECT: fits the 16-byte tx_buf */
    f.clean_session = clean;
    f.keepalive_s = keepalive;
    new_connection_state();
    clean_now = clean;
    connected_tr = 1;
    if (clean) memset(delivered2, 0, sizeof delivered2);
    st = bmqtt_client_connect(&cli, &tr, &f, now);
    CHECK(st == BMQTT_OK);
    sessions++;
}

static void do_publish(unsigned op)
{
    uint8_t qos = (uint8_t)(op % 3);
    int by_ref = (op / 3) % 2;
    size_t len = take();
    bmqtt_publish_t p;
    bmqtt_status_t st;
    uint16_t id = 0;
    size_t hdr;
    int big;

    if (take() & 1) len = len * 3 % PAYMAX; /* up to 699: some larger than tx_buf */
    memset(&p, 0, sizeof p);
    p.qos = qos;
    p.retain = (uint8_t)(op >> 7);
    if (qos == 0) {
        uint32_t seq = next_seq++ & 0xFFFFu;
        uint8_t *buf;
        int slot = -1;
        p.topic = bmqtt_view_str("z");
        p.payload.len = len;
        p.packet_id = 0;
        CHECK(bmqtt_publish_encode_header(&p, NULL, 0, &hdr) == BMQTT_OK);
        big = hdr + len > cfg.tx_size;
        if (big) {
            if (q0_big_busy >= 0 && bmqtt_client_tx_idle(&cli)) q0_big_busy = -1;
            slot = q0_big_busy == 0 ? 1 : 0;
            buf = q0_big[slot];
        } else {
            buf = scratch;
        }
        pattern(buf, seq, len);
        p.payload.ptr = len ? buf : NULL;
        if (q0_tail - q0_head >= MAXQ0) return;
        q0[q0_tail++ % MAXQ0] = seq << 16 | (uint32_t)len; /* before the call: it sends at once */
        st = by_ref ? bmqtt_client_publish_ref(&cli, &p, &id) : bmqtt_client_publish(&cli, &p, &id);
        CHECK(st == BMQTT_OK || st == BMQTT_ERR_BUSY || st == BMQTT_ERR_NOT_CONNECTED);
        if (st == BMQTT_OK) {
            CHECK(id == 0);
            if (big) q0_big_busy = slot;
        } else {
            CHECK(q0_tail - q0_head >= 1); /* refused: not sent, still the newest */
            q0_tail--;
        }
        if (!big) memset(scratch, 0xEE, sizeof scratch); /* copied: the caller's buffer is free */
        return;
    }
    {
        rec_t *r = NULL;
        for (int i = 0; i < MAXREC && r == NULL; i++) {
            if (!recs[i].used) r = &recs[i];
        }
        if (r == NULL) return;
        memset(r, 0, sizeof *r);
        r->seq = next_seq++;
        r->qos = qos;
        r->len = (uint16_t)len;
        r->topic[0] = 't';
        r->topic[1] = '/';
        r->topic[2] = (char)('a' + r->seq % 26);
        pattern(r->buf, r->seq, len);
        p.topic.ptr = (const uint8_t *)r->topic;
        p.topic.len = 3;
        p.payload.ptr = len ? r->buf : NULL;
        p.payload.len = len;
        publishing = r;
        st = by_ref ? bmqtt_client_publish_ref(&cli, &p, &id) : bmqtt_client_publish(&cli, &p, &id);
        publishing = NULL;
        CHECK(st == BMQTT_OK || st == BMQTT_ERR_INFLIGHT_FULL || st == BMQTT_ERR_NOT_CONNECTED ||
              st == BMQTT_ERR_OUTBOX_TOO_SMALL);
        CHECK(st == BMQTT_OK || !r->seen); /* a refused message never reaches the wire */
        if (st == BMQTT_ERR_OUTBOX_TOO_SMALL) CHECK(box_size && !by_ref && len + 3 > box_size);
        if (st == BMQTT_ERR_NOT_CONNECTED) CHECK(bmqtt_client_state(&cli) == BMQTT_CLIENT_DISCONNECTING);
        if (st != BMQTT_OK) return;
        CHECK(id != 0 && (r->id == 0 || r->id == id) && rec_by_id(id) == NULL); /* never an id in use [MQTT-2.3.1-2] */
        r->id = id;
        r->used = 1;
        r->by_ref = (uint8_t)(by_ref || box_size == 0);
        open_count++;
        if (!r->by_ref) memset(r->buf, 0xEE, sizeof r->buf); /* in the outbox: the caller's buffer is free */
    }
}

/* The broker's answers, built from what the client sent. */
static void broker_op(unsigned op)
{
    unsigned k = take();
    switch (op % 8) {
    case 0: { /* CONNACK (return code and session present from the input) */
        uint8_t b[4] = { 0x20, 2, (uint8_t)((k >> 7) & (clean_now ? 0 : 1)), (uint8_t)(k % 9 < 6 ? 0 : k % 6) };
        to_client_push(b, 4);
        break;
    }
    case 1: /* ack the k-th open message that is on the wire */
    case 2:
        for (int i = 0, n = 0; i < MAXREC; i++) {
            rec_t *r = &recs[(i + k) % MAXREC];
            if (!r->used || !r->seen) continue;
            if (r->qos == 1) {
                push_ack(0x40, r->id);
            } else if (!r->pubrec || op % 8 == 1) {
                push_ack(0x50, r->id); /* PUBREC (again, sometimes) */
                r->pubrec = 1;
            } else {
                push_ack(0x70, r->id); /* PUBCOMP: after our PUBREL came, or not (a hostile broker) */
            }
            if (++n > (int)(k & 3)) break;
        }
        break;
    case 3: /* SUBACK or UNSUBACK for a request seen */
        if (nsub && (k & 1)) {
            uint8_t b[2 + 2 + 8];
            size_t n = sub_counts[0] > 8 ? 8 : sub_counts[0];
            b[0] = 0x90, b[1] = (uint8_t)(2 + n), b[2] = (uint8_t)(sub_ids[0] >> 8), b[3] = (uint8_t)sub_ids[0];
            for (size_t i = 0; i < n; i++) b[4 + i] = (uint8_t)(k >> 1 & 1 ? 0x80 : i % 3);
            to_client_push(b, 4 + n);
            memmove(sub_ids, sub_ids + 1, (nsub - 1) * sizeof sub_ids[0]);
            memmove(sub_counts, sub_counts + 1, (nsub - 1) * sizeof sub_counts[0]);
            nsub--;
        } else if (nunsub) {
            push_ack(0xB0, unsub_ids[0]);
            memmove(unsub_ids, unsub_ids + 1, (nunsub - 1) * sizeof unsub_ids[0]);
            nunsub--;
        }
        break;
    case 4: { /* a PUBLISH to the client: QoS, DUP, id and length from the input */
        static uint8_t b[8 + 400];
        uint8_t qos = (uint8_t)(k % 3);
        uint16_t id = (uint16_t)(take() % 6 + 1);
        size_t len = take() * 3 % 400, rem = 3 + (qos ? 2 : 0) + len, h = 0;
        b[h++] = (uint8_t)(0x30 | qos << 1 | (qos && (k & 8) ? 8 : 0));
        if (rem > 127) b[h++] = (uint8_t)(rem | 0x80), b[h++] = (uint8_t)(rem >> 7);
        else b[h++] = (uint8_t)rem;
        b[h++] = 0, b[h++] = 1, b[h++] = 'i';
        if (qos) b[h++] = (uint8_t)(id >> 8), b[h++] = (uint8_t)id;
        memset(b + h, 'p', len);
        to_client_push(b, h + len);
        break;
    }
    case 5: /* PUBREL for a PUBREC the client sent */
        if (nrec_ids) push_ack(0x62, rec_ids[k % nrec_ids]);
        break;
    case 6: /* PINGRESP */
        to_client_push((const uint8_t *)"\xD0\x00", 2);
        break;
    default: { /* raw bytes from the input */
        uint8_t b[32];
        size_t n = k % sizeof b;
        for (size_t i = 0; i < n; i++) b[i] = (uint8_t)take();
        to_client_push(b, n);
        break;
    }
    }
}

static void poll_once(void)
{
    bmqtt_status_t st;
    int was = connected_tr;
    st = bmqtt_client_poll(&cli, now);
    CHECK(st <= BMQTT_OK);
    CHECK(st != BMQTT_WOULD_BLOCK || bmqtt_client_state(&cli) == BMQTT_CLIENT_CONNECTING ||
          bmqtt_client_state(&cli) == BMQTT_CLIENT_DISCONNECTING);
    if (st == BMQTT_OK) CHECK(bmqtt_client_state(&cli) == BMQTT_CLIENT_CONNECTED || !connected_tr);
    if (!connected_tr) CHECK(bmqtt_client_state(&cli) == BMQTT_CLIENT_CLOSED || !was);
}

static void run_program(void)
{
    bmqtt_subscription_t subs[3] = { { BMQTT_VIEW_LIT("f/#"), 2 }, { BMQTT_VIEW_LIT("g/+"), 1 }, { BMQTT_VIEW_LIT("h"), 0 } };
    bmqtt_view_t filters[2] = { BMQTT_VIEW_LIT("f/#"), BMQTT_VIEW_LIT("h") };
    static const size_t sub_size[3] = { 10, 16, 20 }, unsub_size[2] = { 9, 12 }; /* whole packets */
    int steps = 0;
    while (in_n && steps++ < 600) {
        unsigned op = take();
        bmqtt_status_t st;
        TRACE("op %02X state %d\n", op, (int)bmqtt_client_state(&cli));
        switch (op >> 4) {
        case 0: case 1: case 2:
            do_publish(op);
            break;
        case 3:
            st = bmqtt_client_subscribe(&cli, subs, op % 3 + 1, NULL);
            CHECK(st == BMQTT_OK || st == BMQTT_ERR_BUSY || st == BMQTT_ERR_NOT_CONNECTED ||
                  (st == BMQTT_ERR_BUFFER_TOO_SMALL && sub_size[op % 3] > cfg.tx_size));
            break;
        case 4:
            st = bmqtt_client_unsubscribe(&cli, filters, op % 2 + 1, NULL);
            CHECK(st == BMQTT_OK || st == BMQTT_ERR_BUSY || st == BMQTT_ERR_NOT_CONNECTED ||
                  (st == BMQTT_ERR_BUFFER_TOO_SMALL && unsub_size[op % 2] > cfg.tx_size));
            break;
        case 5: case 6: case 7:
            broker_op(op);
            break;
        case 8: case 9: case 10:
            now += (op & 15) * (op & 15) * 13u; /* 0 .. 2.9 s */
            poll_once();
            break;
        case 11: /* the transport */
            switch (op & 3) {
            case 0: accept_max = take() % 40; break; /* 0: no limit */
            case 1: would_block = !would_block; break;
            case 2: chunk = take() % 64 + 1; break;
            default: link_dead = 1; break;
            }
            break;
        case 12:
            st = bmqtt_client_disconnect(&cli);
            CHECK(st <= BMQTT_OK);
            break;
        case 13:
            if (op & 8) bmqtt_client_abort(&cli);
            else do_connect((uint8_t)(op & 1), (uint16_t)((op >> 1) & 3));
            break;
        default:
            poll_once();
            break;
        }
        CHECK((int)bmqtt_client_inflight(&cli) == open_count);
        CHECK(closed_events <= sessions);
        CHECK(bmqtt_client_tx_free(&cli) <= cfg.tx_size);
        if (bmqtt_client_tx_idle(&cli)) CHECK(bmqtt_client_tx_free(&cli) == cfg.tx_size);
        if (bmqtt_client_state(&cli) == BMQTT_CLIENT_CLOSED) CHECK(bmqtt_client_next_deadline(&cli, now) == UINT32_MAX);
        else (void)bmqtt_client_next_deadline(&cli, now);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    static const size_t tx_sizes[4] = { 16, 40, 96, 256 }, rx_sizes[4] = { 16, 48, 100, 200 };
    static const size_t box_sizes[4] = { 0, 0, 64, 700 };
    unsigned c0, c1;

    if (n < 2 || n > 8192) return 0;
    in_p = d;
    in_n = n;
    c0 = take();
    c1 = take();
    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buf = tx;
    cfg.tx_size = tx_sizes[c0 & 3];
    cfg.rx_buf = rx;
    cfg.rx_size = rx_sizes[(c0 >> 2) & 3];
    box_size = box_sizes[(c0 >> 4) & 3];
    cfg.inflight = slots;
    cfg.inflight_count = (uint16_t)((c1 & 3) + 1);
    cfg.qos2_ids = ids2;
    cfg.qos2_count = (uint16_t)((c1 >> 2) % 3 + 1);
    if (c1 & 16) {
        cfg.requests = reqs;
        cfg.request_count = 2;
    }
    cfg.response_timeout_ms = (c1 & 32) ? 500 : 0;
    cfg.on_event = on_event;
    tr.send = f_send;
    tr.recv = f_recv;
    tr.close = f_close;
    tr.ctx = NULL;
    memset(recs, 0, sizeof recs);
    memset(delivered2, 0, sizeof delivered2);
    open_count = 0;
    next_seq = 0;
    q0_head = q0_tail = 0;
    q0_big_busy = -1;
    connected_tr = 0;
    closed_events = sessions = 0;
    now = 0;
    accept_max = 0;
    chunk = 64;
    would_block = 0;
    memset(&cli, 0, sizeof cli); /* the last input may have left a session open in it */
    CHECK(bmqtt_client_init(&cli, &cfg) == BMQTT_OK);
    CHECK(bmqtt_client_set_outbox(&cli, box_size ? outbox : NULL, box_size) == BMQTT_OK);
    do_connect((uint8_t)(c0 >> 7), 2);
    run_program();

    /* The end: whatever state it is in, a last clean session lets every message end. */
    bmqtt_client_abort(&cli);
    CHECK(closed_events == sessions);
    would_block = 0;
    accept_max = 0;
    do_connect(1, 0);
    {
        static const uint8_t connack[4] = { 0x20, 2, 0, 0 };
        to_client_push(connack, 4);
    }
    for (int i = 0; i < 400 && open_count; i++) {
        int unseen = 0;
        poll_once();
        for (int j = 0; j < MAXREC; j++) unseen += recs[j].used && !recs[j].seen;
        if (!unseen && bmqtt_client_tx_idle(&cli)) break;
    }
    bmqtt_client_abort(&cli);
    CHECK(open_count == 0);
    CHECK(bmqtt_client_inflight(&cli) == 0);
    CHECK(closed_events == sessions);
    return 0;
}
