/* bmqtt-cli: a tracing transport (example code, not part of the library). */
#include "cli_trace.h"

#include <string.h>

static const char *const type_names[16] = { "RESERVED0", "CONNECT", "CONNACK", "PUBLISH", "PUBACK",
                                            "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK",
                                            "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP",
                                            "DISCONNECT", "RESERVED15" };

static void print_view(FILE *out, bmqtt_view_t v)
{
    fprintf(out, "'%.*s'", (int)v.len, v.ptr ? (const char *)v.ptr : "");
}

/* One whole packet (or its first @p held bytes when it was larger than the keep). */
static void print_packet(const cli_trace_t *t, const char *dir, const cli_trace_stream_t *s)
{
    FILE *out = t->out;
    uint8_t first = s->framer.first_byte;
    uint8_t type = (uint8_t)(first >> 4);
    size_t hl = s->framer.header_len;
    uint32_t remaining = s->framer.remaining;
    size_t total = hl + remaining;
    const uint8_t *body = s->buf + hl;
    size_t avail = s->held > hl ? s->held - hl : 0;
    bmqtt_packet_t pkt;
    bmqtt_status_t st;

    fprintf(out, "Client %s %s %s", t->id, dir, type_names[type]);
    if (type == BMQTT_PUBLISH) {
        /* The head alone is decoded, so a payload larger than the keep is counted, not held. */
        bmqtt_publish_t p;
        size_t head = 0;
        st = bmqtt_publish_decode_head((uint8_t)(first & 0x0f), body, avail, remaining, &p, &head);
        if (st != BMQTT_OK) {
            fprintf(out, " (malformed: %s, %zu bytes)\n", bmqtt_status_str(st), total);
            return;
        }
        fprintf(out, " (d%u, q%u, r%u, m%u, ", p.dup, p.qos, p.retain, p.packet_id);
        print_view(out, p.topic);
        fprintf(out, ", ... (%lu bytes))\n", (unsigned long)(remaining - head));
        return;
    }
    if (avail < remaining) {
        fprintf(out, " (%zu bytes, too long to decode)\n", total);
        return;
    }
    st = bmqtt_decode_body(first, body, remaining, &pkt);
    if (st != BMQTT_OK) {
        fprintf(out, " (malformed: %s, %zu bytes)\n", bmqtt_status_str(st), total);
        return;
    }
    switch (type) {
    case BMQTT_CONNECT: {
        const bmqtt_connect_t *c = &pkt.u.connect;
        fprintf(out, " (c%u, k%u, ", c->clean_session, c->keepalive_s);
        print_view(out, c->client_id);
        fprintf(out, ", u%d, p%d, w%d", c->username.ptr != NULL, c->password.ptr != NULL, c->will_topic.ptr != NULL);
        if (c->will_topic.ptr != NULL) {
            fprintf(out, " q%u r%u ", c->will_qos, c->will_retain);
            print_view(out, c->will_topic);
            fprintf(out, " (%zu bytes)", c->will_payload.len);
        }
        fprintf(out, ", %zu bytes)\n", total);
        break;
    }
    case BMQTT_CONNACK:
        fprintf(out, " (%u, session present %u, %zu bytes)\n", pkt.u.connack.return_code,
                pkt.u.connack.session_present, total);
        break;
    case BMQTT_SUBSCRIBE: {
        bmqtt_view_t it = pkt.u.subscribe.entries;
        bmqtt_subscription_t e;
        fprintf(out, " (Mid: %u", pkt.u.subscribe.packet_id);
        while (bmqtt_sub_next(&it, &e)) {
            fputs(", ", out);
            print_view(out, e.filter);
            fprintf(out, " q%u", e.qos);
        }
        fprintf(out, ", %zu bytes)\n", total);
        break;
    }
    case BMQTT_UNSUBSCRIBE: {
        bmqtt_view_t it = pkt.u.unsubscribe.entries, f;
        fprintf(out, " (Mid: %u", pkt.u.unsubscribe.packet_id);
        while (bmqtt_unsub_next(&it, &f)) {
            fputs(", ", out);
            print_view(out, f);
        }
        fprintf(out, ", %zu bytes)\n", total);
        break;
    }
    case BMQTT_SUBACK:
        fprintf(out, " (Mid: %u, codes", pkt.u.suback.packet_id);
        for (size_t i = 0; i < pkt.u.suback.codes.len; i++) fprintf(out, " %u", pkt.u.suback.codes.ptr[i]);
        fprintf(out, ", %zu bytes)\n", total);
        break;
    case BMQTT_PUBACK:
    case BMQTT_PUBREC:
    case BMQTT_PUBREL:
    case BMQTT_PUBCOMP:
    case BMQTT_UNSUBACK:
        fprintf(out, " (Mid: %u, %zu bytes)\n", pkt.u.packet_id, total);
        break;
    default:
        fprintf(out, " (%zu bytes)\n", total);
        break;
    }
}

/* Cut @p len more bytes of one direction into packets and print each. */
static void feed(cli_trace_t *t, cli_trace_stream_t *s, const char *dir, const uint8_t *p, size_t len)
{
    while (len > 0 && !s->dead) {
        size_t used = 0, keep;
        bmqtt_status_t st = bmqtt_framer_feed(&s->framer, p, len, &used);
        keep = used;
        if (keep > CLI_TRACE_KEEP - s->held) keep = CLI_TRACE_KEEP - s->held;
        memcpy(s->buf + s->held, p, keep);
        s->held += keep;
        s->seen += used;
        p += used;
        len -= used;
        if (st == BMQTT_OK) {
            print_packet(t, dir, s);
            s->held = s->seen = 0;
        } else if (st != BMQTT_NEED_MORE) {
            fprintf(t->out, "Client %s %s bytes that are not MQTT (%s, first byte 0x%02x)\n", t->id, dir,
                    bmqtt_status_str(st), s->held ? s->buf[0] : 0u);
            s->dead = 1;
        }
    }
    fflush(t->out);
}

static int32_t trace_send(void *ctx, const uint8_t *buf, size_t len)
{
    cli_trace_t *t = ctx;
    int32_t n = t->lower->send(t->lower->ctx, buf, len);
    if (n > 0) t->sent += (uint64_t)n;
    if (n > 0 && t->out) feed(t, &t->tx, "sending", buf, (size_t)n);
    return n;
}

static int32_t trace_recv(void *ctx, uint8_t *buf, size_t len)
{
    cli_trace_t *t = ctx;
    int32_t n = t->lower->recv(t->lower->ctx, buf, len);
    if (n > 0) {
        size_t k = (size_t)n;
        if (k > CLI_TRACE_FIRST - t->first_len) k = CLI_TRACE_FIRST - t->first_len;
        memcpy(t->first + t->first_len, buf, k);
        t->first_len += k;
        if (t->out) feed(t, &t->rx, "received", buf, (size_t)n);
    }
    return n;
}

static void trace_close(void *ctx)
{
    cli_trace_t *t = ctx;
    if (t->lower->close) t->lower->close(t->lower->ctx);
}

void cli_trace_reset(cli_trace_t *t)
{
    bmqtt_framer_init(&t->tx.framer, 0);
    bmqtt_framer_init(&t->rx.framer, 0);
    t->tx.held = t->tx.seen = 0;
    t->rx.held = t->rx.seen = 0;
    t->tx.dead = t->rx.dead = 0;
    t->first_len = 0;
    t->sent = 0;
}

void cli_trace_init(cli_trace_t *t, const bmqtt_transport_t *lower, FILE *out, const char *id,
                    bmqtt_transport_t *tr)
{
    t->lower = lower;
    t->out = out;
    t->id = id;
    cli_trace_reset(t);
    tr->send = trace_send;
    tr->recv = trace_recv;
    tr->close = trace_close;
    tr->ctx = t;
}

void cli_trace_first_bytes(const cli_trace_t *t, char *dst, size_t cap)
{
    size_t o = 0;
    if (cap == 0) return;
    for (size_t i = 0; i < t->first_len && o + 5 < cap; i++) {
        uint8_t c = t->first[i];
        if (c == '\r') o += (size_t)snprintf(dst + o, cap - o, "\\r");
        else if (c == '\n') o += (size_t)snprintf(dst + o, cap - o, "\\n");
        else if (c == '\'' || c == '\\') o += (size_t)snprintf(dst + o, cap - o, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f) dst[o++] = (char)c;
        else o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
    }
    if (t->first_len == CLI_TRACE_FIRST && o + 4 < cap) o += (size_t)snprintf(dst + o, cap - o, "...");
    dst[o] = '\0';
}
