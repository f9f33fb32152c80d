/* Session persistence, the part both forms share (persist.h): the CRC, the
 * message record and its adoption into the in-flight table. */
#include <string.h>

#include "bmqtt/persist.h"
#include "bmqtt_client_internal.h"
#include "bmqtt_persist_internal.h"

uint32_t bmqtt_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u))); /* bitwise: no table */
    }
    return ~crc;
}

uint32_t persist_check(const persist_rec_t *r, const uint8_t *data)
{
    persist_rec_t h = *r;
    uint32_t crc;
    h.check = 0;
    h.state = 0;
    crc = bmqtt_crc32(0, &h, sizeof h);
    return data ? bmqtt_crc32(crc, data, (size_t)h.topic_len + h.payload_len) : crc;
}

void persist_fill(persist_rec_t *r, const bmqtt_inflight_t *s)
{
    memset(r, 0, sizeof *r);
    r->payload_len = (uint32_t)s->pub.payload.len;
    r->topic_len = (uint16_t)s->pub.topic.len;
    r->id = s->pub.packet_id;
    r->seq = s->seq;
    r->qos = (uint8_t)(s->pub.qos | (s->pub.retain ? 4u : 0u));
}

bmqtt_status_t persist_adopt(bmqtt_client_t *c, uint16_t i, const persist_rec_t *r, const uint8_t *data)
{
    bmqtt_inflight_t *s = &c->cfg->inflight[i];
    unsigned qos = r->qos & 3u;
    size_t n;

    if (r->id == 0 || qos == 0 || qos == 3 || (r->qos & ~7u) || (r->state != REC_ACK && r->state != REC_COMP) ||
        (r->topic_len == 0 && (r->state != REC_COMP || r->payload_len))) {
        return BMQTT_ERR_IMAGE_RECORD;
    }
    if (persist_check(r, data) != r->check) return BMQTT_ERR_IMAGE_CHECK;
    for (uint16_t k = 0; k < c->cfg->inflight_count; k++) {
        if (c->cfg->inflight[k].state && c->cfg->inflight[k].pub.packet_id == r->id) return BMQTT_ERR_IMAGE_RECORD;
    }
    memset(s, 0, sizeof *s);
    s->pub.qos = (uint8_t)qos;
    s->pub.retain = (uint8_t)(r->qos >> 2);
    s->pub.packet_id = r->id;
    s->pub.topic.ptr = data;
    s->pub.topic.len = r->topic_len;
    s->pub.payload.ptr = r->topic_len ? data + r->topic_len : NULL;
    s->pub.payload.len = r->payload_len;
    /* A message that could not be resent is refused here, never sent as garbage. */
    if (r->state == REC_ACK &&
        (bmqtt_publish_encode_header(&s->pub, NULL, 0, &n) != BMQTT_OK || n > c->cfg->tx_size)) {
        return BMQTT_ERR_IMAGE_RECORD;
    }
    s->seq = r->seq;
    s->flags = F_SENT; /* it may have left before the reset: resent with DUP */
    s->state = (uint8_t)((r->state == REC_ACK ? WAIT_ACK : WAIT_COMP) | NEEDS_SEND);
    return BMQTT_OK;
}

void persist_finish(bmqtt_client_t *c)
{
    const bmqtt_inflight_t *newest = NULL;
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
        const bmqtt_inflight_t *s = &c->cfg->inflight[i];
        if (s->state && (newest == NULL || (int16_t)(uint16_t)(s->seq - newest->seq) > 0)) newest = s;
    }
    if (newest) {
        c->next_seq = (uint16_t)(newest->seq + 1u);
        c->next_id = (uint16_t)(newest->pub.packet_id + 1u);
        if (c->next_id == 0) c->next_id = 1;
    }
}

static const char *persist_name(int st)
{
    switch (st) {
    case BMQTT_ERR_NO_SESSION: return "no saved session";
    case BMQTT_ERR_IMAGE_VERSION: return "saved session: another layout version";
    case BMQTT_ERR_IMAGE_SIZES: return "saved session: other table sizes";
    case BMQTT_ERR_IMAGE_CHECK: return "saved session: check mismatch";
    case BMQTT_ERR_IMAGE_TRUNCATED: return "saved session: truncated";
    case BMQTT_ERR_IMAGE_RECORD: return "saved session: invalid message record";
    case BMQTT_ERR_STORE: return "session store failed";
    default: return NULL;
    }
}

static bmqtt_status_names_t names = { BMQTT_STATUS_PERSIST_BASE, BMQTT_STATUS_PERSIST_BASE - 19, persist_name,
                                      "persist", NULL };

void persist_names(void)
{
    bmqtt_status_register(&names);
}
