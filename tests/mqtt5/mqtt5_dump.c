/*
 * Decode MQTT 5.0 packets with bmqtt5_decode() and print every field, one
 * line per packet, for tests/mqtt5/peers.py to compare with what a peer was
 * told to send:
 *
 *   mqtt5_dump client|server|either FILE...
 *
 * "client": the files hold what a client sent. Each file may hold several
 * packets back to back. Strings and binary data print as hex, numbers in
 * decimal; properties as p<id>=value (w<id> for a will's), in wire order,
 * a pair as hex:hex. Exit status 1 when any packet fails to decode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/mqtt5.h"

static const char *const type_names[16] = { "0",         "CONNECT",  "CONNACK", "PUBLISH",     "PUBACK",  "PUBREC",
                                            "PUBREL",    "PUBCOMP",  "SUBSCRIBE", "SUBACK",    "UNSUBSCRIBE", "UNSUBACK",
                                            "PINGREQ",   "PINGRESP", "DISCONNECT", "AUTH" };

static void hex(const char *key, bmqtt_view_t v)
{
    printf(" %s=", key);
    if (v.ptr == NULL) {
        printf("-");
        return;
    }
    for (size_t i = 0; i < v.len; i++) printf("%02x", v.ptr[i]);
}

static void props(char prefix, const bmqtt5_props_t *p)
{
    bmqtt_view_t it = p->raw;
    bmqtt5_prop_t q;
    while (bmqtt5_prop_next(&it, &q)) {
        printf(" %c%d=", prefix, q.id);
        switch (q.type) {
        case BMQTT5_TYPE_STR:
        case BMQTT5_TYPE_BIN:
        case BMQTT5_TYPE_PAIR:
            for (size_t i = 0; i < q.str.len; i++) printf("%02x", q.str.ptr[i]);
            if (q.type == BMQTT5_TYPE_PAIR) {
                printf(":");
                for (size_t i = 0; i < q.val.len; i++) printf("%02x", q.val.ptr[i]);
            }
            break;
        default: printf("%lu", (unsigned long)q.num); break;
        }
    }
}

static void dump(const bmqtt5_packet_t *pkt)
{
    printf("type=%s", type_names[pkt->type & 15]);
    switch (pkt->type) {
    case BMQTT_CONNECT: {
        const bmqtt5_connect_t *c = &pkt->u.connect;
        hex("client_id", c->client_id);
        printf(" keepalive=%u clean_start=%u will_qos=%u will_retain=%u", c->keepalive_s, c->clean_start, c->will_qos,
               c->will_retain);
        hex("will_topic", c->will_topic);
        hex("will_payload", c->will_payload);
        hex("username", c->username);
        hex("password", c->password);
        props('p', &c->props);
        props('w', &c->will_props);
        break;
    }
    case BMQTT_CONNACK:
        printf(" session_present=%u reason=%u", pkt->u.connack.session_present, pkt->u.connack.reason_code);
        props('p', &pkt->u.connack.props);
        break;
    case BMQTT_PUBLISH: {
        const bmqtt5_publish_t *p = &pkt->u.publish;
        printf(" qos=%u retain=%u dup=%u id=%u", p->qos, p->retain, p->dup, p->packet_id);
        hex("topic", p->topic);
        hex("payload", p->payload);
        props('p', &p->props);
        break;
    }
    case BMQTT_PUBACK:
    case BMQTT_PUBREC:
    case BMQTT_PUBREL:
    case BMQTT_PUBCOMP:
        printf(" id=%u reason=%u", pkt->u.ack.packet_id, pkt->u.ack.reason_code);
        props('p', &pkt->u.ack.props);
        break;
    case BMQTT_SUBSCRIBE: {
        bmqtt_view_t it = pkt->u.subscribe.entries;
        bmqtt5_subscription_t s;
        printf(" id=%u", pkt->u.subscribe.packet_id);
        while (bmqtt5_sub_next(&it, &s)) {
            hex("filter", s.filter);
            printf(" opts=%u/%u/%u/%u", s.qos, s.no_local, s.retain_as_published, s.retain_handling);
        }
        props('p', &pkt->u.subscribe.props);
        break;
    }
    case BMQTT_UNSUBSCRIBE: {
        bmqtt_view_t it = pkt->u.unsubscribe.entries, f;
        printf(" id=%u", pkt->u.unsubscribe.packet_id);
        while (bmqtt_unsub_next(&it, &f)) hex("filter", f);
        props('p', &pkt->u.unsubscribe.props);
        break;
    }
    case BMQTT_SUBACK:
    case BMQTT_UNSUBACK:
        printf(" id=%u", pkt->u.suback.packet_id);
        hex("codes", pkt->u.suback.codes);
        props('p', &pkt->u.suback.props);
        break;
    case BMQTT_DISCONNECT:
    case BMQTT5_AUTH:
        printf(" reason=%u", pkt->u.reason.reason_code);
        props('p', &pkt->u.reason.props);
        break;
    default: break;
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    bmqtt5_from_t from;
    int bad = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: %s client|server|either FILE...\n", argv[0]);
        return 2;
    }
    from = strcmp(argv[1], "client") == 0 ? BMQTT5_FROM_CLIENT
           : strcmp(argv[1], "server") == 0 ? BMQTT5_FROM_SERVER
                                            : BMQTT5_FROM_EITHER;
    for (int a = 2; a < argc; a++) {
        static uint8_t buf[1 << 20];
        FILE *f = fopen(argv[a], "rb");
        size_t n, off = 0;
        if (f == NULL) {
            perror(argv[a]);
            return 2;
        }
        n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        while (off < n) {
            bmqtt5_packet_t pkt;
            size_t used = 0;
            bmqtt_status_t st = bmqtt5_decode(buf + off, n - off, from, &pkt, &used);
            printf("%s: ", argv[a]);
            if (st != BMQTT_OK) {
                printf("error=%s\n", bmqtt_status_str(st));
                bad = 1;
                break;
            }
            dump(&pkt);
            off += used;
        }
    }
    return bad;
}
