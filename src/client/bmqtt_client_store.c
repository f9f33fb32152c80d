/* The session in a store (persist.h): one key per in-flight slot, one for the
 * incoming QoS 2 ids, one header. Each change is one put, which the store
 * makes atomic; the copies the client resends from stay in the outbox (RAM).
 *
 *   header   magic, layout version, table sizes, CRC-32 of those (16 bytes)
 *   slot i   persist_rec_t, then topic and payload (none after PUBREC)
 *   qos2     the incoming ids, one uint16_t per entry of the client's table */
#include <string.h>

#include "bmqtt/persist.h"
#include "bmqtt_client_internal.h"
#include "bmqtt_persist_internal.h"

#define MAGIC 0x53514253u /* "SBQS" */
#define VERSION 1u
#define F_KEPT 0x04u      /* the slot has a record in the store */

typedef struct hdr {
    uint32_t magic;
    uint16_t version, inflight_count, qos2_count, reserved;
    uint32_t check;
} hdr_t;

static uint32_t hdr_check(const hdr_t *h)
{
    return bmqtt_crc32(0, h, offsetof(hdr_t, check));
}

static const bmqtt_store_t *store_of(const bmqtt_client_t *c)
{
    return (const bmqtt_store_t *)c->journal_ctx;
}

static bmqtt_status_t put(const bmqtt_client_t *c, unsigned key, const void *head, size_t hlen, const void *body,
                          size_t blen)
{
    const bmqtt_store_t *s = store_of(c);
    return s->put(s->ctx, (uint16_t)key, head, hlen, body, blen) == BMQTT_OK ? BMQTT_OK : BMQTT_ERR_STORE;
}

static bmqtt_status_t journal(bmqtt_client_t *c, unsigned op, bmqtt_inflight_t *s, unsigned arg)
{
    persist_rec_t r;
    bmqtt_status_t st;

    if (s) {
        arg = (unsigned)(s - c->cfg->inflight); /* the key of the slot's index */
    } else if (op == J_PUBLISH || op == J_RELEASE || op == J_DONE) {
        return BMQTT_ERR_PARAM; /* a slot's change names its slot (never so from the client) */
    }
    switch (op) {
    case J_PUBLISH:
        if (!(s->flags & F_OUTBOX)) return BMQTT_OK; /* by reference: its memory is the caller's */
        persist_fill(&r, s);
        r.state = REC_ACK;
        r.check = persist_check(&r, s->pub.topic.ptr);
        if ((st = put(c, BMQTT_STORE_KEY_SLOT(arg), &r, sizeof r, s->pub.topic.ptr,
                      s->pub.topic.len + s->pub.payload.len)) == BMQTT_OK) {
            s->flags |= F_KEPT;
        } else { /* not kept: publish fails, and its copy goes back to the outbox */
            if (--c->outbox_live == 0) c->outbox_used = 0;
            s->flags = 0;
        }
        return st;
    case J_RELEASE: /* only the id matters now */
        if (!(s->flags & F_KEPT)) return BMQTT_OK;
        persist_fill(&r, s);
        r.topic_len = 0;
        r.payload_len = 0;
        r.state = REC_COMP;
        r.check = persist_check(&r, NULL);
        return put(c, BMQTT_STORE_KEY_SLOT(arg), &r, sizeof r, NULL, 0);
    case J_DONE:
        return (s->flags & F_KEPT) ? put(c, BMQTT_STORE_KEY_SLOT(arg), NULL, 0, NULL, 0) : BMQTT_OK;
    case J_QOS2_IN:
    case J_QOS2_OUT:
        return put(c, BMQTT_STORE_KEY_QOS2, c->cfg->qos2_ids, c->cfg->qos2_count * sizeof c->cfg->qos2_ids[0], NULL, 0);
    default: /* J_QOS2_CLEAR */
        return put(c, BMQTT_STORE_KEY_QOS2, NULL, 0, NULL, 0);
    }
}

static bmqtt_status_t get(const bmqtt_store_t *s, unsigned key, void *buf, size_t size, size_t *len)
{
    *len = 0;
    return s->get(s->ctx, (uint16_t)key, buf, size, len) == BMQTT_OK ? BMQTT_OK : BMQTT_ERR_STORE;
}

static bmqtt_status_t adopt(bmqtt_client_t *c, const bmqtt_store_t *store)
{
    hdr_t h;
    size_t len;
    bmqtt_status_t st;

    if ((st = get(store, BMQTT_STORE_KEY_HEADER, &h, sizeof h, &len)) != BMQTT_OK) return st;
    if (len == 0) return BMQTT_ERR_NO_SESSION;
    if (len < sizeof h) return BMQTT_ERR_IMAGE_TRUNCATED;
    if (h.magic != MAGIC) return BMQTT_ERR_NO_SESSION;
    if (h.version != VERSION) return BMQTT_ERR_IMAGE_VERSION;
    if (len != sizeof h || hdr_check(&h) != h.check) return BMQTT_ERR_IMAGE_CHECK;
    if (h.inflight_count != c->cfg->inflight_count || h.qos2_count != c->cfg->qos2_count) return BMQTT_ERR_IMAGE_SIZES;
    for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
        persist_rec_t r;
        uint8_t *at = c->outbox + c->outbox_used;
        size_t room = c->outbox_size - c->outbox_used;
        /* Read into the outbox's free end; the record's head then gives way to the copy. */
        if ((st = get(store, BMQTT_STORE_KEY_SLOT(i), at, room, &len)) != BMQTT_OK) return st;
        if (len == 0) continue;
        if (len > room) return room >= sizeof r ? BMQTT_ERR_INFLIGHT_FULL : BMQTT_ERR_IMAGE_TRUNCATED;
        if (len < sizeof r) return BMQTT_ERR_IMAGE_TRUNCATED;
        memcpy(&r, at, sizeof r);
        len -= sizeof r;
        if (len != (size_t)r.topic_len + r.payload_len) return BMQTT_ERR_IMAGE_TRUNCATED;
        memmove(at, at + sizeof r, len);
        if ((st = persist_adopt(c, i, &r, len ? at : NULL)) != BMQTT_OK) return st;
        c->cfg->inflight[i].flags |= F_KEPT;
        if (len) {
            c->cfg->inflight[i].flags |= F_OUTBOX;
            c->outbox_live++;
            c->outbox_used += (uint32_t)len;
        }
    }
    if ((st = get(store, BMQTT_STORE_KEY_QOS2, c->cfg->qos2_ids, c->cfg->qos2_count * sizeof c->cfg->qos2_ids[0],
                  &len)) != BMQTT_OK) {
        return st;
    }
    if (len != 0 && len != c->cfg->qos2_count * sizeof c->cfg->qos2_ids[0]) return BMQTT_ERR_IMAGE_SIZES;
    persist_finish(c);
    return BMQTT_OK;
}

/* An empty session: the header goes first (a cut from here on finds none), then the rest. */
static bmqtt_status_t format(const bmqtt_client_t *c, const bmqtt_store_t *store)
{
    hdr_t h;
    bmqtt_status_t st = put(c, BMQTT_STORE_KEY_HEADER, NULL, 0, NULL, 0);
    for (uint16_t i = 0; st == BMQTT_OK && i < c->cfg->inflight_count; i++) {
        size_t len;
        uint8_t one;
        if ((st = get(store, BMQTT_STORE_KEY_SLOT(i), &one, 1, &len)) == BMQTT_OK && len) {
            st = put(c, BMQTT_STORE_KEY_SLOT(i), NULL, 0, NULL, 0);
        }
    }
    if (st == BMQTT_OK) st = put(c, BMQTT_STORE_KEY_QOS2, NULL, 0, NULL, 0);
    memset(&h, 0, sizeof h);
    h.magic = MAGIC;
    h.version = VERSION;
    h.inflight_count = c->cfg->inflight_count;
    h.qos2_count = c->cfg->qos2_count;
    h.check = hdr_check(&h);
    return st == BMQTT_OK ? put(c, BMQTT_STORE_KEY_HEADER, &h, sizeof h, NULL, 0) : st;
}

bmqtt_status_t bmqtt_client_resume_store(bmqtt_client_t *c, const bmqtt_store_t *store)
{
    bmqtt_status_t st;
    if (!BMQTT_PERSIST || c == NULL || c->cfg == NULL || store == NULL || store->put == NULL || store->get == NULL ||
        c->outbox_copy == NULL) {
        return BMQTT_ERR_PARAM;
    }
    if (c->state != BMQTT_CLIENT_IDLE || c->journal || c->outbox_live || bmqtt_client_inflight(c)) return BMQTT_ERR_BUSY;
    persist_names();
    c->journal_ctx = (void *)(uintptr_t)store; /* const: never written through */
    st = adopt(c, store);
    if (st == BMQTT_ERR_STORE) {
        c->journal_ctx = NULL;
    } else if (st != BMQTT_OK) {
        /* Nothing of a refused session stays. */
        memset(c->cfg->inflight, 0, c->cfg->inflight_count * sizeof c->cfg->inflight[0]);
        memset(c->cfg->qos2_ids, 0, c->cfg->qos2_count * sizeof c->cfg->qos2_ids[0]);
        c->outbox_live = 0;
        c->outbox_used = 0;
        c->next_id = 1;
        c->next_seq = 0;
        if (format(c, store) != BMQTT_OK) {
            c->journal_ctx = NULL;
            return BMQTT_ERR_STORE;
        }
    }
    if (st == BMQTT_ERR_STORE) {
        memset(c->cfg->inflight, 0, c->cfg->inflight_count * sizeof c->cfg->inflight[0]);
        memset(c->cfg->qos2_ids, 0, c->cfg->qos2_count * sizeof c->cfg->qos2_ids[0]);
        c->outbox_live = 0;
        c->outbox_used = 0;
        return st;
    }
    c->journal = journal;
    return st;
}
