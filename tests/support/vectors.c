/* Test-vector helpers: see vectors.h. */
#include "vectors.h"

#include <ctype.h>
#if defined(__unix__) || defined(__APPLE__)
#include <dirent.h>
#define TV_HAVE_DIRENT 1
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/status.h"

static int tv_hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int tv_hex_parse(const char *text, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = 0;
    const char *p = text;
    while (*p != '\0') {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        int hi = tv_hexval((unsigned char)p[0]);
        int lo = hi < 0 ? -1 : tv_hexval((unsigned char)p[1]);
        if (hi < 0 || lo < 0) return -1;
        uint8_t b = (uint8_t)(hi * 16 + lo);
        p += 2;
        unsigned long reps = 1;
        if (*p == '*') {
            char *end;
            reps = strtoul(p + 1, &end, 10);
            if (end == p + 1 || reps == 0) return -1;
            p = end;
        }
        if (reps > cap - n) return -1;
        memset(out + n, b, reps);
        n += reps;
    }
    *len = n;
    return 0;
}

/* Bytes a hex text can expand to, counting `XX*N` runs (an upper bound). */
static size_t tv_hex_bound(const char *text)
{
    size_t n = strlen(text) / 2 + 1;
    for (const char *p = strchr(text, '*'); p != NULL; p = strchr(p + 1, '*')) n += strtoul(p + 1, NULL, 10);
    return n;
}

static void tv_trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    size_t i = 0;
    while (isspace((unsigned char)s[i])) i++;
    if (i > 0) memmove(s, s + i, n - i + 1);
}

int tv_table_load(const char *path, tv_table_t *t)
{
    t->rows = NULL;
    t->count = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open (run from the repository root)\n", path);
        return -1;
    }
    char line[8192];
    unsigned lineno = 0;
    size_t cap = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            fprintf(stderr, "%s:%u: line too long\n", path, lineno);
            rc = -1;
            break;
        }
        char *hash = strchr(line, '#');
        char comment[TV_COMMENT_MAX] = "";
        if (hash != NULL) {
            snprintf(comment, sizeof comment, "%s", hash + 1);
            *hash = '\0';
            tv_trim(comment);
        }
        tv_trim(line);
        if (line[0] == '\0') continue;
        size_t klen = strcspn(line, " \t");
        if (klen >= TV_KEY_MAX) {
            fprintf(stderr, "%s:%u: key too long\n", path, lineno);
            rc = -1;
            break;
        }
        if (t->count == cap) {
            cap = cap ? cap * 2 : 64;
            tv_row_t *grown = realloc(t->rows, cap * sizeof *grown);
            if (grown == NULL) {
                rc = -1;
                break;
            }
            t->rows = grown;
        }
        tv_row_t *r = &t->rows[t->count];
        memset(r, 0, sizeof *r);
        memcpy(r->key, line, klen);
        r->key[klen] = '\0';
        if (klen > 0 && r->key[klen - 1] == ':') r->key[klen - 1] = '\0';
        snprintf(r->comment, sizeof r->comment, "%s", comment);
        r->line = lineno;
        const char *hex = line + klen;
        size_t bound = tv_hex_bound(hex);
        r->bytes = malloc(bound);
        if (r->bytes == NULL || tv_hex_parse(hex, r->bytes, bound, &r->len) != 0) {
            fprintf(stderr, "%s:%u: bad hex\n", path, lineno);
            free(r->bytes);
            rc = -1;
            break;
        }
        t->count++;
    }
    fclose(f);
    if (rc != 0) tv_table_free(t);
    return rc;
}

const tv_row_t *tv_table_find(const tv_table_t *t, const char *key)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->rows[i].key, key) == 0) return &t->rows[i];
    return NULL;
}

void tv_table_free(tv_table_t *t)
{
    for (size_t i = 0; i < t->count; i++) free(t->rows[i].bytes);
    free(t->rows);
    t->rows = NULL;
    t->count = 0;
}

int tv_file_read(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return -1;
    size_t cap = 256, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *grown = realloc(buf, cap * 2);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (buf == NULL || err) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

#ifdef TV_HAVE_DIRENT
static int tv_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}
#endif

size_t tv_dir_list(const char *dir, const char *suffix, char ***names)
{
#ifndef TV_HAVE_DIRENT
    /* No directory listing here (e.g. newlib under semihosting). */
    (void)dir;
    (void)suffix;
    *names = NULL;
    return (size_t)-1;
#else
    DIR *d = opendir(dir);
    if (d == NULL) return (size_t)-1;
    size_t n = 0, cap = 0;
    char **v = NULL;
    size_t slen = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < slen || strcmp(e->d_name + len - slen, suffix) != 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(v, cap * sizeof *grown);
            if (grown == NULL) break;
            v = grown;
        }
        v[n] = strdup(e->d_name);
        if (v[n] == NULL) break;
        n++;
    }
    closedir(d);
    if (n > 0) qsort(v, n, sizeof *v, tv_name_cmp);
    *names = v;
    return n;
#endif
}

void tv_names_free(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++) free(names[i]);
    free(names);
}

#define TV_STATUS_LIST(X)                                                                                   \
    X(BMQTT_OK) X(BMQTT_NEED_MORE) X(BMQTT_WOULD_BLOCK) X(BMQTT_ERR_PARAM) X(BMQTT_ERR_BUFFER_TOO_SMALL)   \
    X(BMQTT_ERR_TOO_LONG) X(BMQTT_ERR_BAD_TYPE) X(BMQTT_ERR_BAD_FLAGS) X(BMQTT_ERR_BAD_VARINT)             \
    X(BMQTT_ERR_BAD_LENGTH) X(BMQTT_ERR_BAD_QOS) X(BMQTT_ERR_BAD_PACKET_ID) X(BMQTT_ERR_BAD_UTF8)          \
    X(BMQTT_ERR_BAD_TOPIC) X(BMQTT_ERR_BAD_FILTER) X(BMQTT_ERR_EMPTY_LIST) X(BMQTT_ERR_BAD_RETURN_CODE)    \
    X(BMQTT_ERR_BAD_PROTOCOL) X(BMQTT_ERR_BAD_VERSION) X(BMQTT_ERR_BAD_CONNECT_FLAGS)                      \
    X(BMQTT_ERR_BAD_CLIENT_ID) X(BMQTT_ERR_PROTOCOL) X(BMQTT_ERR_PACKET_TOO_LARGE)                         \
    X(BMQTT_ERR_REFUSED_VERSION) X(BMQTT_ERR_REFUSED_IDENTIFIER) X(BMQTT_ERR_REFUSED_UNAVAILABLE)          \
    X(BMQTT_ERR_REFUSED_CREDENTIALS) X(BMQTT_ERR_REFUSED_NOT_AUTHORIZED) X(BMQTT_ERR_NOT_CONNECTED)        \
    X(BMQTT_ERR_BUSY) X(BMQTT_ERR_INFLIGHT_FULL) X(BMQTT_ERR_TIMEOUT) X(BMQTT_ERR_KEEPALIVE)               \
    X(BMQTT_ERR_SESSION_ENDED) X(BMQTT_ERR_CHANGED)                                                     \
    X(BMQTT_ERR_TRANSPORT) X(BMQTT_ERR_CLOSED) X(BMQTT_ERR_DNS) X(BMQTT_ERR_CONNECT)

#define TV_VALUE(name) (int)name,
#define TV_ENTRY(name) { #name, (int)name },

const int tv_all_statuses[] = { TV_STATUS_LIST(TV_VALUE) };
const size_t tv_all_statuses_count = sizeof tv_all_statuses / sizeof tv_all_statuses[0];

static const struct {
    const char *name;
    int value;
} tv_status_names[] = { TV_STATUS_LIST(TV_ENTRY) };

int tv_status_from_name(const char *name, int *status)
{
    for (size_t i = 0; i < sizeof tv_status_names / sizeof tv_status_names[0]; i++) {
        if (strcmp(tv_status_names[i].name, name) == 0) {
            *status = tv_status_names[i].value;
            return 0;
        }
    }
    return -1;
}

const char *tv_status_name(int status)
{
    for (size_t i = 0; i < sizeof tv_status_names / sizeof tv_status_names[0]; i++)
        if (tv_status_names[i].value == status) return tv_status_names[i].name;
    return NULL;
}

uint32_t tv_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

void tv_hexdump(const char *label, const uint8_t *p, size_t n)
{
    fprintf(stderr, "%s (%zu):", label, n);
    for (size_t i = 0; p != NULL && i < n; i++) fprintf(stderr, " %02X", p[i]);
    fputc('\n', stderr);
}

int tv_view_eq(bmqtt_view_t v, const void *p, size_t n)
{
    if (v.len == n && (n == 0 || (v.ptr != NULL && memcmp(v.ptr, p, n) == 0))) return 1;
    if (v.ptr == NULL && v.len != 0) fprintf(stderr, "view {NULL, %zu}\n", v.len);
    else tv_hexdump("view    ", v.ptr, v.len);
    tv_hexdump("expected", p, n);
    return 0;
}

int tv_view_eq_str(bmqtt_view_t v, const char *s)
{
    return tv_view_eq(v, s, strlen(s));
}

int tv_view_inside(bmqtt_view_t v, const uint8_t *buf, size_t len)
{
    if (v.ptr == NULL) return v.len == 0;
    /* Compare as integers: pointers into different objects may not be compared with <. */
    uintptr_t a = (uintptr_t)v.ptr, lo = (uintptr_t)buf;
    return a >= lo && a - lo <= len && v.len <= len - (size_t)(a - lo);
}

#define TV_LIST_MAX 64

bmqtt_status_t tv_encode_packet(const bmqtt_packet_t *pkt, uint8_t *buf, size_t cap, size_t *len)
{
    switch (pkt->type) {
    case BMQTT_CONNECT: return bmqtt_connect_encode(&pkt->u.connect, buf, cap, len);
    case BMQTT_CONNACK: return bmqtt_connack_encode(&pkt->u.connack, buf, cap, len);
    case BMQTT_PUBLISH: return bmqtt_publish_encode(&pkt->u.publish, buf, cap, len);
    case BMQTT_PUBACK:
    case BMQTT_PUBREC:
    case BMQTT_PUBREL:
    case BMQTT_PUBCOMP:
    case BMQTT_UNSUBACK: return bmqtt_ack_encode((bmqtt_packet_type_t)pkt->type, pkt->u.packet_id, buf, cap, len);
    case BMQTT_SUBSCRIBE: {
        bmqtt_subscription_t subs[TV_LIST_MAX];
        size_t n = 0;
        bmqtt_view_t it = pkt->u.subscribe.entries;
        while (n < TV_LIST_MAX && bmqtt_sub_next(&it, &subs[n])) n++;
        return bmqtt_subscribe_encode(pkt->u.subscribe.packet_id, subs, n, buf, cap, len);
    }
    case BMQTT_SUBACK:
        return bmqtt_suback_encode(pkt->u.suback.packet_id, pkt->u.suback.codes.ptr, pkt->u.suback.codes.len, buf,
                                   cap, len);
    case BMQTT_UNSUBSCRIBE: {
        bmqtt_view_t filters[TV_LIST_MAX];
        size_t n = 0;
        bmqtt_view_t it = pkt->u.unsubscribe.entries;
        while (n < TV_LIST_MAX && bmqtt_unsub_next(&it, &filters[n])) n++;
        return bmqtt_unsubscribe_encode(pkt->u.unsubscribe.packet_id, filters, n, buf, cap, len);
    }
    case BMQTT_PINGREQ:
    case BMQTT_PINGRESP:
    case BMQTT_DISCONNECT: return bmqtt_empty_encode((bmqtt_packet_type_t)pkt->type, buf, cap, len);
    default: return BMQTT_ERR_PARAM;
    }
}

static int tv_same_view(const char *what, bmqtt_view_t a, bmqtt_view_t b, int optional)
{
    if (optional && ((a.ptr == NULL) != (b.ptr == NULL))) {
        fprintf(stderr, "%s: present in one packet, absent in the other\n", what);
        return 0;
    }
    if (a.len != b.len ||
        (a.len > 0 && (a.ptr == NULL || b.ptr == NULL || memcmp(a.ptr, b.ptr, a.len) != 0))) {
        fprintf(stderr, "%s differs:\n", what);
        tv_hexdump("  a", a.ptr, a.len);
        tv_hexdump("  b", b.ptr, b.len);
        return 0;
    }
    return 1;
}

#define TV_SAME(field)                                                                                      \
    do {                                                                                                    \
        if ((a->field) != (b->field)) {                                                                     \
            fprintf(stderr, #field ": %ld != %ld\n", (long)(a->field), (long)(b->field));                   \
            return 0;                                                                                       \
        }                                                                                                   \
    } while (0)

static int tv_same_list(const char *what, bmqtt_view_t a, bmqtt_view_t b, int with_qos)
{
    for (size_t i = 0;; i++) {
        bmqtt_subscription_t sa, sb;
        bmqtt_view_t fa, fb;
        int ha, hb;
        if (with_qos) {
            ha = bmqtt_sub_next(&a, &sa);
            hb = bmqtt_sub_next(&b, &sb);
        } else {
            ha = bmqtt_unsub_next(&a, &fa);
            hb = bmqtt_unsub_next(&b, &fb);
            sa.filter = fa;
            sb.filter = fb;
            sa.qos = sb.qos = 0;
        }
        if (ha != hb) {
            fprintf(stderr, "%s: lists differ in length at entry %zu\n", what, i);
            return 0;
        }
        if (!ha) return 1;
        if (!tv_same_view(what, sa.filter, sb.filter, 0)) return 0;
        if (sa.qos != sb.qos) {
            fprintf(stderr, "%s: entry %zu QoS %u != %u\n", what, i, sa.qos, sb.qos);
            return 0;
        }
    }
}

int tv_packet_eq(const bmqtt_packet_t *a, const bmqtt_packet_t *b)
{
    TV_SAME(type);
    TV_SAME(flags);
    switch (a->type) {
    case BMQTT_CONNECT:
        TV_SAME(u.connect.keepalive_s);
        TV_SAME(u.connect.clean_session);
        TV_SAME(u.connect.will_qos);
        TV_SAME(u.connect.will_retain);
        return tv_same_view("client_id", a->u.connect.client_id, b->u.connect.client_id, 0) &&
               tv_same_view("will_topic", a->u.connect.will_topic, b->u.connect.will_topic, 1) &&
               tv_same_view("will_payload", a->u.connect.will_payload, b->u.connect.will_payload, 0) &&
               tv_same_view("username", a->u.connect.username, b->u.connect.username, 1) &&
               tv_same_view("password", a->u.connect.password, b->u.connect.password, 1);
    case BMQTT_CONNACK:
        TV_SAME(u.connack.session_present);
        TV_SAME(u.connack.return_code);
        return 1;
    case BMQTT_PUBLISH:
        TV_SAME(u.publish.qos);
        TV_SAME(u.publish.retain);
        TV_SAME(u.publish.dup);
        if (a->u.publish.qos > 0) TV_SAME(u.publish.packet_id);
        return tv_same_view("topic", a->u.publish.topic, b->u.publish.topic, 0) &&
               tv_same_view("payload", a->u.publish.payload, b->u.publish.payload, 0);
    case BMQTT_PUBACK:
    case BMQTT_PUBREC:
    case BMQTT_PUBREL:
    case BMQTT_PUBCOMP:
    case BMQTT_UNSUBACK: TV_SAME(u.packet_id); return 1;
    case BMQTT_SUBSCRIBE:
        TV_SAME(u.subscribe.packet_id);
        return tv_same_list("subscribe", a->u.subscribe.entries, b->u.subscribe.entries, 1);
    case BMQTT_UNSUBSCRIBE:
        TV_SAME(u.unsubscribe.packet_id);
        return tv_same_list("unsubscribe", a->u.unsubscribe.entries, b->u.unsubscribe.entries, 0);
    case BMQTT_SUBACK:
        TV_SAME(u.suback.packet_id);
        return tv_same_view("suback codes", a->u.suback.codes, b->u.suback.codes, 0);
    default: return 1;
    }
}
