/* A key-value log on raw NOR flash (nor_log.h), safe against power loss.
 *
 * Block:  header (16 bytes: magic, sequence number, CRC-32 of both, 0xFF pad),
 *         then records back to back, then erased bytes.
 * Record: key (2), length (2), CRC-32 of those 4 (4): one program;
 *         value, CRC-32 of key + length + value, 0xFF pad to the program unit:
 *         a second program. All little-endian.
 *
 * The header is programmed first and alone, so a record whose header CRC
 * fails is a header torn by power loss: nothing after it was programmed, and
 * the scan skips its 8 bytes. A record whose value CRC fails was torn in its
 * value: the scan skips it whole (its length is known). Appending always goes
 * past whatever was touched, so no byte is programmed twice.
 *
 * Blocks are opened in ring order, so the block after the head is the oldest.
 * Opening a block makes sure the one after it is free: its live records (the
 * newest of their key, not deletions) are copied into the new head, then a
 * MARK record names its sequence number (every block up to it is free, even
 * one whose erase is torn), then it is erased. A mount that finds the block
 * after the head still in use finishes that copy (what was copied is no longer
 * the newest there, so nothing is copied twice). */
#include <string.h>

#include "bmqtt/nor_log.h"

#define MAGIC 0x4C4E5142u /* "BQNL" */
#define HDR 16u
#define REC 8u
#define MARK 0xFFFFu

static void le16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    le16(p, v & 0xFFFFu);
    le16(p + 2, v >> 16);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t align(const bmqtt_nor_log_t *l, uint32_t n)
{
    uint32_t u = l->nor->prog_size;
    return (n + u - 1u) / u * u;
}

static uint32_t base(const bmqtt_nor_log_t *l, uint16_t b)
{
    return (uint32_t)b * l->nor->block_size;
}

static bmqtt_status_t rd(const bmqtt_nor_log_t *l, uint32_t addr, void *buf, size_t len)
{
    return l->nor->read(l->nor->ctx, addr, buf, len) == 0 ? BMQTT_OK : BMQTT_ERR_STORE;
}

static bmqtt_status_t prog(const bmqtt_nor_log_t *l, uint32_t addr, const void *buf, size_t len)
{
    if (len == 0) return BMQTT_OK;
    return l->nor->prog(l->nor->ctx, addr, buf, len) == 0 ? BMQTT_OK : BMQTT_ERR_STORE;
}

/* The block's sequence number, or 0 when its header is not valid. */
static uint32_t block_seq(const bmqtt_nor_log_t *l, uint16_t b)
{
    uint8_t h[12];
    if (rd(l, base(l, b), h, sizeof h) != BMQTT_OK) return 0;
    if (get32(h) != MAGIC || bmqtt_crc32(0, h, 8) != get32(h + 8)) return 0;
    return get32(h + 4);
}

static int live(const bmqtt_nor_log_t *l, uint16_t b, uint32_t *seq)
{
    uint32_t s = block_seq(l, b);
    if (seq) *seq = s;
    return s != 0 && s > l->freed;
}

typedef struct rec {
    uint32_t at, end;  /* where it starts and where the next one does */
    uint16_t key, len; /* key 0: a torn header */
    int valid;
} rec_t;

/* The record at r->end of block b: 0 at the end of the block's log. */
static int next_rec(const bmqtt_nor_log_t *l, uint16_t b, rec_t *r)
{
    uint8_t h[REC], buf[32];
    uint32_t a = base(l, b), size = l->nor->block_size, crc, n, body;
    r->at = r->end;
    if (r->at + REC > size || rd(l, a + r->at, h, REC) != BMQTT_OK) return 0;
    if (h[0] == 0xFF && h[1] == 0xFF && h[2] == 0xFF && h[3] == 0xFF && get32(h + 4) == 0xFFFFFFFFu) return 0;
    r->key = 0;
    r->len = 0;
    r->valid = 0;
    r->end = r->at + REC;
    if (bmqtt_crc32(0, h, 4) != get32(h + 4)) return 1; /* torn header: skip its 8 bytes */
    r->key = (uint16_t)(h[0] | h[1] << 8);
    r->len = (uint16_t)(h[2] | h[3] << 8);
    body = align(l, (uint32_t)r->len + 4u);
    if (body > size - r->end) { /* cannot be: the rest of the block is unusable */
        r->end = size;
        return 1;
    }
    crc = bmqtt_crc32(0, h, 4);
    for (uint32_t off = 0; off < r->len; off += n) {
        n = r->len - off < sizeof buf ? r->len - off : (uint32_t)sizeof buf;
        if (rd(l, a + r->end + off, buf, n) != BMQTT_OK) return 0;
        crc = bmqtt_crc32(crc, buf, n);
    }
    if (rd(l, a + r->end + r->len, buf, 4) != BMQTT_OK) return 0;
    r->valid = crc == get32(buf) && r->key != 0;
    r->end += body;
    return 1;
}

/* 1 when no valid record of @p key follows @p after in block @p b or in a newer live block. */
static int newest(const bmqtt_nor_log_t *l, uint16_t b, const rec_t *after, uint16_t key)
{
    rec_t r = *after;
    uint16_t n = l->nor->block_count;
    while (next_rec(l, b, &r)) {
        if (r.valid && r.key == key) return 0;
    }
    for (uint16_t i = (uint16_t)((b + 1u) % n); i != (uint16_t)((l->head + 1u) % n); i = (uint16_t)((i + 1u) % n)) {
        if (!live(l, i, NULL)) continue;
        r.end = HDR;
        while (next_rec(l, i, &r)) {
            if (r.valid && r.key == key) return 0;
        }
    }
    return 1;
}

/* Append one record at the head (room checked by the caller): value = head + body, programmed
 * through a staging buffer in whole program units. */
typedef struct stage {
    bmqtt_nor_log_t *l;
    uint32_t at, fill;
    uint8_t buf[32];
} stage_t;

static bmqtt_status_t feed(stage_t *s, const uint8_t *p, uint32_t n)
{
    bmqtt_status_t st;
    while (n) {
        uint32_t k = (uint32_t)sizeof s->buf - s->fill < n ? (uint32_t)sizeof s->buf - s->fill : n;
        memcpy(s->buf + s->fill, p, k);
        s->fill += k;
        p += k;
        n -= k;
        if (s->fill == sizeof s->buf) {
            if ((st = prog(s->l, s->at, s->buf, sizeof s->buf)) != BMQTT_OK) return st;
            s->at += (uint32_t)sizeof s->buf;
            s->fill = 0;
        }
    }
    return BMQTT_OK;
}

static bmqtt_status_t append(bmqtt_nor_log_t *l, uint16_t key, const uint8_t *head, uint32_t hlen, const uint8_t *body,
                             uint32_t blen)
{
    uint8_t h[REC], c[4];
    stage_t s;
    uint32_t len = hlen + blen, crc;
    bmqtt_status_t st;

    le16(h, key);
    le16(h + 2, len);
    le32(h + 4, bmqtt_crc32(0, h, 4));
    crc = bmqtt_crc32(bmqtt_crc32(bmqtt_crc32(0, h, 4), head, hlen), body, blen);
    s.l = l;
    s.at = base(l, l->head) + l->pos + REC;
    s.fill = 0;
    if ((st = prog(l, s.at - REC, h, REC)) != BMQTT_OK) return st;
    l->pos += REC + align(l, len + 4u); /* past it, whatever happens to the value */
    le32(c, crc);
    if ((st = feed(&s, head, hlen)) != BMQTT_OK || (st = feed(&s, body, blen)) != BMQTT_OK ||
        (st = feed(&s, c, 4)) != BMQTT_OK) {
        return st;
    }
    memset(s.buf + s.fill, 0xFF, sizeof s.buf - s.fill);
    return prog(l, s.at, s.buf, align(l, s.fill));
}

/* Copy the raw bytes of a record into the head. */
static bmqtt_status_t copy(bmqtt_nor_log_t *l, uint16_t b, const rec_t *r)
{
    uint8_t buf[32];
    uint32_t from = base(l, b) + r->at, to = base(l, l->head) + l->pos, n;
    bmqtt_status_t st;
    l->pos += r->end - r->at;
    for (uint32_t off = 0; off < r->end - r->at; off += n) {
        n = r->end - r->at - off < sizeof buf ? r->end - r->at - off : (uint32_t)sizeof buf;
        if ((st = rd(l, from + off, buf, n)) != BMQTT_OK || (st = prog(l, to + off, buf, n)) != BMQTT_OK) return st;
    }
    return BMQTT_OK;
}

/* Free block @p b, the oldest: copy its live records into the head, mark it, erase it. */
static bmqtt_status_t collect(bmqtt_nor_log_t *l, uint16_t b)
{
    rec_t r;
    uint8_t v[4];
    uint32_t seq = block_seq(l, b);
    bmqtt_status_t st;

    r.end = HDR;
    while (next_rec(l, b, &r)) {
        if (!r.valid || (r.len == 0 && r.key != MARK) || !newest(l, b, &r, r.key)) continue;
        if (r.end - r.at > l->nor->block_size - l->pos) return BMQTT_ERR_STORE; /* live data over a block */
        if ((st = copy(l, b, &r)) != BMQTT_OK) return st;
    }
    if (REC + align(l, 8u) > l->nor->block_size - l->pos) return BMQTT_ERR_STORE;
    le32(v, seq);
    if ((st = append(l, MARK, v, 4, NULL, 0)) != BMQTT_OK) return st;
    l->freed = seq;
    return l->nor->erase(l->nor->ctx, base(l, b)) == 0 ? BMQTT_OK : BMQTT_ERR_STORE;
}

/* Open the next block as the head, and free the one after it. */
static bmqtt_status_t open_next(bmqtt_nor_log_t *l)
{
    uint16_t n = l->nor->block_count;
    uint16_t b = (uint16_t)(l->seq ? (l->head + 1u) % n : 0u);
    uint8_t h[HDR];
    bmqtt_status_t st;

    if (live(l, b, NULL)) return BMQTT_ERR_STORE; /* cannot be after a mount */
    if (l->nor->erase(l->nor->ctx, base(l, b)) != 0) return BMQTT_ERR_STORE;
    memset(h, 0xFF, sizeof h);
    le32(h, MAGIC);
    le32(h + 4, l->seq + 1u);
    le32(h + 8, bmqtt_crc32(0, h, 8));
    if ((st = prog(l, base(l, b), h, HDR)) != BMQTT_OK) return st;
    l->seq++;
    l->head = b;
    l->pos = HDR;
    b = (uint16_t)((b + 1u) % n);
    return live(l, b, NULL) ? collect(l, b) : BMQTT_OK;
}

bmqtt_status_t bmqtt_nor_log_mount(bmqtt_nor_log_t *l, const bmqtt_nor_t *nor, bmqtt_store_t *store)
{
    uint32_t seq;
    rec_t r;
    uint8_t v[4];

    if (l == NULL || nor == NULL || store == NULL || nor->read == NULL || nor->prog == NULL || nor->erase == NULL ||
        nor->block_count < 3 || (nor->prog_size != 1 && nor->prog_size != 2 && nor->prog_size != 4 && nor->prog_size != 8) ||
        nor->block_size < 64 || nor->block_size % nor->prog_size || nor->block_size > 0x10000u * 16u) {
        return BMQTT_ERR_PARAM;
    }
    memset(l, 0, sizeof *l);
    l->nor = nor;
    /* Which blocks are free: the highest MARK of any block with a valid header. */
    for (uint16_t b = 0; b < nor->block_count; b++) {
        if (block_seq(l, b) == 0) continue;
        r.end = HDR;
        while (next_rec(l, b, &r)) {
            if (r.valid && r.key == MARK && r.len == 4 && rd(l, base(l, b) + r.at + REC, v, 4) == BMQTT_OK &&
                get32(v) > l->freed) {
                l->freed = get32(v);
            }
        }
    }
    for (uint16_t b = 0; b < nor->block_count; b++) {
        if (live(l, b, &seq) && seq > l->seq) {
            l->seq = seq;
            l->head = b;
        }
    }
    store->put = bmqtt_nor_log_put;
    store->get = bmqtt_nor_log_get;
    store->ctx = l;
    if (l->seq == 0) return BMQTT_OK; /* empty: the first put opens block 0 */
    r.end = HDR;
    while (next_rec(l, l->head, &r)) {
    }
    l->pos = r.end;
    /* Appending only over erased bytes: a tail that is not (foreign data) closes the block. */
    for (uint32_t off = l->pos, n; off < nor->block_size; off += n) {
        n = nor->block_size - off < sizeof v ? nor->block_size - off : (uint32_t)sizeof v;
        memset(v, 0xFF, sizeof v);
        if (rd(l, base(l, l->head) + off, v, n) != BMQTT_OK) return BMQTT_ERR_STORE;
        if (get32(v) != 0xFFFFFFFFu) {
            l->pos = nor->block_size;
            break;
        }
    }
    {
        uint16_t after = (uint16_t)((l->head + 1u) % nor->block_count);
        return live(l, after, NULL) ? collect(l, after) : BMQTT_OK; /* a copy cut short */
    }
}

bmqtt_status_t bmqtt_nor_log_put(void *ctx, uint16_t key, const void *head, size_t head_len, const void *body,
                                 size_t body_len)
{
    bmqtt_nor_log_t *l = (bmqtt_nor_log_t *)ctx;
    uint32_t need;
    size_t len = head_len + body_len;
    bmqtt_status_t st;

    if (l == NULL || l->nor == NULL || key == 0 || key == MARK || head_len > 0xFFFFu || body_len > 0xFFFFu ||
        len > 0xFFFFu || (head == NULL && head_len) || (body == NULL && body_len)) {
        return BMQTT_ERR_PARAM;
    }
    need = REC + align(l, (uint32_t)len + 4u);
    if (need > l->nor->block_size - HDR - REC - align(l, 8u)) return BMQTT_ERR_BUFFER_TOO_SMALL;
    for (uint16_t tries = 0; l->seq == 0 || need > l->nor->block_size - l->pos; tries++) {
        if (tries == l->nor->block_count) return BMQTT_ERR_STORE; /* the live values fill the log */
        if ((st = open_next(l)) != BMQTT_OK) return st;
    }
    return append(l, key, (const uint8_t *)head, (uint32_t)head_len, (const uint8_t *)body, (uint32_t)body_len);
}

bmqtt_status_t bmqtt_nor_log_get(void *ctx, uint16_t key, void *buf, size_t size, size_t *len)
{
    const bmqtt_nor_log_t *l = (const bmqtt_nor_log_t *)ctx;
    uint16_t n, found_b = 0;
    rec_t r, found;

    if (l == NULL || l->nor == NULL || len == NULL || (buf == NULL && size)) return BMQTT_ERR_PARAM;
    *len = 0;
    if (l->seq == 0) return BMQTT_OK;
    n = l->nor->block_count;
    found.valid = 0;
    found.len = 0;
    found.at = 0;
    for (uint16_t i = 1; i <= n; i++) { /* oldest to newest: the ring after the head */
        uint16_t b = (uint16_t)((l->head + i) % n);
        if (!live(l, b, NULL)) continue;
        r.end = HDR;
        while (next_rec(l, b, &r)) {
            if (r.valid && r.key == key) {
                found = r;
                found_b = b;
            }
        }
    }
    if (!found.valid || found.len == 0) return BMQTT_OK;
    *len = found.len;
    return rd(l, base(l, found_b) + found.at + REC, buf, size < found.len ? size : found.len);
}
