/* The session in retained memory (persist.h): a region the caller places where
 * a reset keeps it. Layout (version 1), native byte order, offsets only:
 *
 *   header     magic, version, table sizes, data size, CRC-32 of those
 *   records    one persist_rec_t per in-flight slot, same index
 *   qos2 ids   one uint16_t per incoming QoS 2 slot, same index (padded to 4)
 *   data       topics and payloads of the open messages
 *
 * Every change is one store that commits it: a record's state byte (written
 * after the rest of the record, which sits in a free record, and its data,
 * which sits in free space), or one id. A reset between any two instructions
 * leaves the change applied or not. Data is never moved: copies are placed
 * in a ring after the newest live one, and space comes back as the oldest end. */
#include <string.h>

#include "bmqtt/persist.h"
#include "../codec/bmqtt_codec_internal.h"
#include "bmqtt_client_internal.h"
#include "bmqtt_persist_internal.h"

#define MAGIC 0x534D5142u /* "BQMS" */
#define VERSION 1u

typedef struct hdr {
    uint32_t magic;
    uint16_t version, inflight_count, qos2_count, reserved;
    uint32_t data_size;
    uint32_t check; /* CRC-32 of the fields above */
} hdr_t;

typedef char hdr_is_20[sizeof(hdr_t) == BMQTT_RETAINED_HEADER ? 1 : -1];
typedef char rec_is_20[sizeof(persist_rec_t) == BMQTT_RETAINED_RECORD ? 1 : -1];

static persist_rec_t *recs(void *region)
{
    return (persist_rec_t *)(void *)((uint8_t *)region + sizeof(hdr_t));
}

static uint16_t *ids(const bmqtt_client_t *c, void *region)
{
    return (uint16_t *)(void *)(recs(region) + c->cfg->inflight_count);
}

static uint8_t *data_area(const bmqtt_client_t *c, void *region)
{
    return (uint8_t *)region + BMQTT_RETAINED_SIZE(c->cfg->inflight_count, c->cfg->qos2_count, 0);
}

static uint32_t hdr_check(const hdr_t *h)
{
    return bmqtt_crc32(0, h, offsetof(hdr_t, check));
}

/* Copy topic and payload of @p s into free space of the data area (nothing is
 * committed yet: the record commits it in J_PUBLISH). */
static bmqtt_status_t put(bmqtt_client_t *c, bmqtt_inflight_t *s)
{
    void *region = c->journal_ctx;
    const hdr_t *h = (const hdr_t *)region;
    const persist_rec_t *r = recs(region);
    const persist_rec_t *oldest = NULL, *newest = NULL;
    uint32_t need = (uint32_t)(s->pub.topic.len + s->pub.payload.len), size = h->data_size, at = 0;
    uint8_t *d = data_area(c, region);

    if (s->pub.topic.len + s->pub.payload.len > size) return BMQTT_ERR_BUFFER_TOO_SMALL;
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
        if (r[i].state == 0 || r[i].topic_len == 0) continue;
        if (oldest == NULL || (int16_t)(uint16_t)(r[i].seq - oldest->seq) < 0) oldest = &r[i];
        if (newest == NULL || (int16_t)(uint16_t)(r[i].seq - newest->seq) > 0) newest = &r[i];
    }
    if (newest) {
        uint32_t head = newest->off + newest->topic_len + newest->payload_len, tail = oldest->off;
        if (newest->off >= tail) { /* live bytes in [tail, head): free after head, then before tail */
            if (size - head >= need) {
                at = head;
            } else if (tail >= need) {
                at = 0;
            } else {
                return BMQTT_ERR_INFLIGHT_FULL;
            }
        } else if (tail - head >= need) { /* wrapped: free in [head, tail) */
            at = head;
        } else {
            return BMQTT_ERR_INFLIGHT_FULL;
        }
    }
    memcpy(d + at, s->pub.topic.ptr, s->pub.topic.len);
    if (s->pub.payload.len) memcpy(d + at + s->pub.topic.len, s->pub.payload.ptr, s->pub.payload.len);
    s->pub.topic.ptr = d + at;
    s->pub.payload.ptr = d + at + s->pub.topic.len;
    s->flags |= F_OUTBOX;
    c->outbox_live++;
    return BMQTT_OK;
}

static void commit_state(persist_rec_t *r, unsigned state)
{
    PERSIST_BARRIER();
    *(volatile uint8_t *)&r->state = (uint8_t)state;
    PERSIST_BARRIER();
}

static void commit_id(uint16_t *p, unsigned id)
{
    PERSIST_BARRIER();
    *(volatile uint16_t *)p = (uint16_t)id;
    PERSIST_BARRIER();
}

static bmqtt_status_t journal(bmqtt_client_t *c, unsigned op, bmqtt_inflight_t *s, unsigned arg)
{
    void *region = c->journal_ctx;
    persist_rec_t *r = recs(region);
    uint16_t *q = ids(c, region);

    if (s) {
        arg = (unsigned)(s - c->cfg->inflight); /* the record of the slot's index */
    } else if (op == J_PUBLISH || op == J_RELEASE || op == J_DONE) {
        return BMQTT_ERR_PARAM; /* a slot's change names its slot (never so from the client) */
    }
    switch (op) {
    case J_PUBLISH:
        /* By reference (or copied into an outbox set later): its memory is not the region's. */
        if (!(s->flags & F_OUTBOX) || s->pub.topic.ptr < data_area(c, region) ||
            s->pub.topic.ptr >= data_area(c, region) + ((const hdr_t *)region)->data_size) {
            return BMQTT_OK;
        }
        r += arg;
        commit_state(r, 0);
        persist_fill(r, s);
        r->off = (uint32_t)(s->pub.topic.ptr - data_area(c, region));
        r->check = persist_check(r, s->pub.topic.ptr);
        commit_state(r, REC_ACK);
        break;
    case J_RELEASE:
        if (r[arg].state == REC_ACK) commit_state(&r[arg], REC_COMP);
        break;
    case J_DONE:
        commit_state(&r[arg], 0);
        break;
    case J_QOS2_IN: /* the id sits at the same index of the client's table */
        for (uint16_t i = 0; i < c->cfg->qos2_count; i++) {
            if (c->cfg->qos2_ids[i] == arg && q[i] != arg) {
                commit_id(&q[i], arg);
                break;
            }
        }
        break;
    case J_QOS2_OUT:
        for (uint16_t i = 0; i < c->cfg->qos2_count; i++) {
            if (q[i] == arg) commit_id(&q[i], 0);
        }
        break;
    default: /* J_QOS2_CLEAR */
        for (uint16_t i = 0; i < c->cfg->qos2_count; i++) commit_id(&q[i], 0);
        break;
    }
    return BMQTT_OK;
}

/* Why the region cannot be adopted, or BMQTT_OK. */
static bmqtt_status_t check_region(const bmqtt_client_t *c, void *region, size_t size)
{
    const hdr_t *h = (const hdr_t *)region;
    size_t fixed = BMQTT_RETAINED_SIZE(c->cfg->inflight_count, c->cfg->qos2_count, 0);

    if (h->magic != MAGIC) return BMQTT_ERR_NO_SESSION;
    if (h->version != VERSION) return BMQTT_ERR_IMAGE_VERSION;
    if (hdr_check(h) != h->check) return BMQTT_ERR_IMAGE_CHECK;
    if (h->inflight_count != c->cfg->inflight_count || h->qos2_count != c->cfg->qos2_count) {
        return BMQTT_ERR_IMAGE_SIZES;
    }
    if (h->data_size > size - fixed) return BMQTT_ERR_IMAGE_TRUNCATED;
    if (h->data_size != size - fixed) return BMQTT_ERR_IMAGE_SIZES;
    return BMQTT_OK;
}

static bmqtt_status_t adopt(bmqtt_client_t *c, void *region)
{
    const hdr_t *h = (const hdr_t *)region;
    const persist_rec_t *r = recs(region);
    const uint16_t *q = ids(c, region);
    uint8_t *d = data_area(c, region);
    bmqtt_status_t st;

    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
        if (r[i].state == 0) continue;
        if (r[i].off > h->data_size || (uint64_t)r[i].topic_len + r[i].payload_len > h->data_size - r[i].off) {
            return BMQTT_ERR_IMAGE_RECORD;
        }
        if ((st = persist_adopt(c, i, &r[i], d + r[i].off)) != BMQTT_OK) return st;
        c->cfg->inflight[i].flags |= F_OUTBOX;
        c->outbox_live++;
    }
    for (uint16_t i = 0; i < c->cfg->qos2_count; i++) c->cfg->qos2_ids[i] = q[i];
    persist_finish(c);
    return BMQTT_OK;
}

static void format(bmqtt_client_t *c, void *region, size_t size)
{
    hdr_t *h = (hdr_t *)region;
    size_t fixed = BMQTT_RETAINED_SIZE(c->cfg->inflight_count, c->cfg->qos2_count, 0);
    *(volatile uint32_t *)&h->magic = 0; /* a reset from here on finds no session */
    PERSIST_BARRIER();
    memset((uint8_t *)region + sizeof *h, 0, fixed - sizeof *h);
    h->version = VERSION;
    h->inflight_count = c->cfg->inflight_count;
    h->qos2_count = c->cfg->qos2_count;
    h->reserved = 0;
    h->data_size = (uint32_t)(size - fixed);
    h->magic = MAGIC;
    h->check = hdr_check(h);
    h->magic = 0;
    PERSIST_BARRIER();
    *(volatile uint32_t *)&h->magic = MAGIC;
    PERSIST_BARRIER();
}

bmqtt_status_t bmqtt_client_resume(bmqtt_client_t *c, void *region, size_t size)
{
    bmqtt_status_t st;
    if (!BMQTT_PERSIST || c == NULL || c->cfg == NULL || region == NULL || ((uintptr_t)region & 3u) ||
        size <= BMQTT_RETAINED_SIZE(c->cfg->inflight_count, c->cfg->qos2_count, 0) || BMQTT_SIZE_OVER_U32(size)) {
        return BMQTT_ERR_PARAM;
    }
    if (c->state != BMQTT_CLIENT_IDLE || c->journal || c->outbox_copy || bmqtt_client_inflight(c)) return BMQTT_ERR_BUSY;
    persist_names();
    st = check_region(c, region, size);
    if (st == BMQTT_OK && (st = adopt(c, region)) != BMQTT_OK) {
        /* Nothing of a refused image stays. */
        memset(c->cfg->inflight, 0, c->cfg->inflight_count * sizeof c->cfg->inflight[0]);
        memset(c->cfg->qos2_ids, 0, c->cfg->qos2_count * sizeof c->cfg->qos2_ids[0]);
        c->outbox_live = 0;
        c->next_id = 1;
        c->next_seq = 0;
    }
    if (st != BMQTT_OK) format(c, region, size);
    c->journal_ctx = region;
    c->journal = journal;
    c->outbox_copy = put;
    return st;
}
