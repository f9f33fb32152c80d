/* The optional outbox, in a file of its own: bmqtt_client_set_outbox() is the
 * only way in, so a firmware that never calls it links none of this.
 *
 * Copies are appended at outbox_used; when the tail has no room, the live
 * copies move to the front (address order, so each move goes down and never
 * over a copy not yet moved). The outbox empties as a whole when its last
 * copy ends (bmqtt_client_slot_done_ in bmqtt_client.c). */
#include <string.h>

#include "bmqtt/client.h"
#include "bmqtt_client_internal.h"

static void compact(bmqtt_client_t *c)
{
    uint32_t w = 0;
    for (;;) {
        bmqtt_inflight_t *best = NULL;
        for (uint16_t i = 0; i < c->cfg->inflight_count; i++) {
            bmqtt_inflight_t *s = &c->cfg->inflight[i];
            if (s->state && (s->flags & F_OUTBOX) && (uint32_t)(s->pub.topic.ptr - c->outbox) >= w &&
                (best == NULL || s->pub.topic.ptr < best->pub.topic.ptr)) {
                best = s;
            }
        }
        if (best == NULL) break;
        memmove(c->outbox + w, best->pub.topic.ptr, best->pub.topic.len + best->pub.payload.len);
        best->pub.topic.ptr = c->outbox + w;
        best->pub.payload.ptr = c->outbox + w + best->pub.topic.len;
        w += (uint32_t)(best->pub.topic.len + best->pub.payload.len);
    }
    c->outbox_used = w;
}

/* Copy topic and payload of @p s into the outbox. */
static bmqtt_status_t put(bmqtt_client_t *c, bmqtt_inflight_t *s)
{
    size_t need = s->pub.topic.len + s->pub.payload.len;
    uint8_t *dst;
    if (need > c->outbox_size) return BMQTT_ERR_OUTBOX_TOO_SMALL;
    if (c->outbox_size - c->outbox_used < need) {
        /* Never move a payload the transport is still reading from. */
        if (c->tx_extra_len && c->tx_extra_slot != NO_SLOT && (c->cfg->inflight[c->tx_extra_slot].flags & F_OUTBOX)) {
            return BMQTT_ERR_INFLIGHT_FULL;
        }
        compact(c);
        if (c->outbox_size - c->outbox_used < need) return BMQTT_ERR_INFLIGHT_FULL;
    }
    dst = c->outbox + c->outbox_used;
    memcpy(dst, s->pub.topic.ptr, s->pub.topic.len);
    if (s->pub.payload.len) memcpy(dst + s->pub.topic.len, s->pub.payload.ptr, s->pub.payload.len);
    s->pub.topic.ptr = dst;
    s->pub.payload.ptr = dst + s->pub.topic.len;
    s->flags |= F_OUTBOX;
    c->outbox_used += (uint32_t)need;
    c->outbox_live++;
    BMQTT_ASSERT(c->outbox_used <= c->outbox_size);
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_client_set_outbox(bmqtt_client_t *c, uint8_t *buf, size_t size)
{
    bmqtt_status_t st = BMQTT_ERR_BUSY;
    if (c == NULL || c->cfg == NULL || (buf == NULL && size)) return BMQTT_ERR_PARAM;
#if SIZE_MAX > UINT32_MAX
    if (size > UINT32_MAX) return BMQTT_ERR_PARAM;
#endif
    if (c->cfg->lock) c->cfg->lock(c->cfg->user);
    if (c->outbox_live == 0) { /* else copies live in the old one */
        c->outbox = buf;
        c->outbox_size = (uint32_t)size;
        c->outbox_used = 0;
        c->outbox_copy = buf ? put : NULL;
        st = BMQTT_OK;
    }
    if (c->cfg->unlock) c->cfg->unlock(c->cfg->user);
    if (st != BMQTT_OK) BMQTT_LOG("bmqtt: set_outbox refused: %s", "copies live in the outbox");
    return st;
}
