/* bmqtt-cli sub -F: mosquitto_sub's output format (example code, not part of the library).
 *
 * %j and %J print the JSON object mosquitto_sub 2.0.11 prints (it builds it with cJSON):
 * keys tst, topic, qos, retain, payloadlen, mid (QoS 1 and 2 only), payload, in that order;
 * strings escaped as cJSON does (" \ and bytes below 0x20; other bytes as they are); --pretty
 * as cJSON_Print (a tab per level, ": " as ":\t", arrays on one line). %J re-prints the payload
 * as cJSON parses and prints it (numbers as %1.15g or %1.17g, \u escapes decoded), so this file
 * parses with cJSON's rules too. Where mosquitto 2.0.11 contradicts its man page (tst's "Z"
 * before the offset, a payload cut at its first zero byte), this follows the man page. */
#include "cli_format.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Output built in memory: a %J payload found not to be JSON halfway prints nothing. */
typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} obuf_t;

static void put(obuf_t *b, const void *s, size_t n)
{
    if (b->oom || n == 0) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *q;
        while (cap < b->len + n) cap *= 2;
        if ((q = realloc(b->p, cap)) == NULL) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_b(obuf_t *b, const char *s)
{
    put(b, s, strlen(s));
}

static void tabs(obuf_t *b, unsigned n)
{
    while (n--) put(b, "\t", 1);
}

/* A JSON string as cJSON prints one: " and \ escaped, bytes below 0x20 as \b \f \n \r \t or
 * \u00XX, every other byte (0x7f, bytes of invalid UTF-8) as it is. */
static void json_string(obuf_t *b, const uint8_t *s, size_t n)
{
    static const char ctl[] = "\b\f\n\r\t", name[] = "bfnrt";
    put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        char e[8];
        const char *k = s[i] != 0 ? strchr(ctl, s[i]) : NULL;
        if (s[i] == '"' || s[i] == '\\') {
            e[0] = '\\';
            e[1] = (char)s[i];
            put(b, e, 2);
        } else if (k != NULL) {
            e[0] = '\\';
            e[1] = name[k - ctl];
            put(b, e, 2);
        } else if (s[i] < 0x20) {
            snprintf(e, sizeof e, "\\u%04x", s[i]);
            put(b, e, 6);
        } else {
            put(b, s + i, 1);
        }
    }
    put(b, "\"", 1);
}

/* ---- %J: the payload parsed and printed again, with cJSON 1.7's rules --------------------- */

#define JSON_DEPTH_MAX 1000 /* cJSON's CJSON_NESTING_LIMIT: deeper is not JSON to it */

typedef struct {
    const uint8_t *s;
    size_t n, i;
    obuf_t *o;
    int pretty;
} jp_t;

/* cJSON skips every byte up to 0x20 (the payload has no zero byte: checked first). */
static void ws(jp_t *p)
{
    while (p->i < p->n && p->s[p->i] <= 0x20) p->i++;
}

static int at(const jp_t *p, char c)
{
    return p->i < p->n && p->s[p->i] == (uint8_t)c;
}

/* cJSON's parse_hex4: 0 for a non-hex digit (so "\uZZZZ" is U+0000, which ends the string). */
static unsigned hex4(const uint8_t *s)
{
    unsigned h = 0;
    for (int k = 0; k < 4; k++) {
        unsigned c = s[k];
        if (c >= '0' && c <= '9') h = h * 16 + c - '0';
        else if (c >= 'a' && c <= 'f') h = h * 16 + c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') h = h * 16 + c - 'A' + 10;
        else return 0;
    }
    return h;
}

static int utf8_put(obuf_t *t, unsigned long cp)
{
    uint8_t u[4];
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : cp <= 0x10FFFF ? 4 : 0;
    static const uint8_t mark[] = { 0, 0, 0xC0, 0xE0, 0xF0 };
    if (n == 0) return -1;
    for (size_t k = n - 1; k > 0; k--, cp >>= 6) u[k] = (uint8_t)(0x80 | (cp & 0x3F));
    u[0] = (uint8_t)(mark[n] | cp);
    put(t, u, n);
    return 0;
}

/* A string: decoded, then printed as cJSON prints it (up to a decoded U+0000, where its C
 * string ends). */
static int j_string(jp_t *p)
{
    obuf_t t = { 0 };
    size_t q = p->i + 1, i;
    int rc = 0;
    if (!at(p, '"')) return -1;
    while (q < p->n && p->s[q] != '"') q += p->s[q] == '\\' ? 2 : 1;
    if (q >= p->n) return -1;
    for (i = p->i + 1; i < q && rc == 0;) {
        static const char esc[] = "bfnrt\"\\/", val[] = "\b\f\n\r\t\"\\/";
        const char *k;
        if (p->s[i] != '\\') {
            put(&t, p->s + i++, 1);
        } else if (p->s[i + 1] != 'u') {
            k = strchr(esc, p->s[i + 1]);
            if (k == NULL) rc = -1;
            else put(&t, &val[k - esc], 1);
            i += 2;
        } else {
            unsigned long first, second, cp;
            if (q - i < 6) {
                rc = -1;
                break;
            }
            first = hex4(p->s + i + 2);
            cp = first;
            if (first >= 0xDC00 && first <= 0xDFFF) rc = -1;
            else if (first >= 0xD800 && first <= 0xDBFF) {
                if (q - (i + 6) < 6 || p->s[i + 6] != '\\' || p->s[i + 7] != 'u') rc = -1;
                else if ((second = hex4(p->s + i + 8)) < 0xDC00 || second > 0xDFFF) rc = -1;
                else cp = 0x10000 + (((first & 0x3FF) << 10) | (second & 0x3FF)), i += 6;
            }
            if (rc == 0) rc = utf8_put(&t, cp);
            i += 6;
        }
    }
    if (rc == 0) {
        const uint8_t *z = t.len ? memchr(t.p, 0, t.len) : NULL;
        json_string(p->o, (const uint8_t *)t.p, z ? (size_t)(z - (const uint8_t *)t.p) : t.len);
        p->i = q + 1;
    }
    free(t.p);
    return t.oom ? -1 : rc;
}

/* Two doubles cJSON takes as the same (its compare_double). */
static int same_double(double a, double b)
{
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return fabs(a - b) <= m * DBL_EPSILON;
}

/* A number: cJSON takes the run of [0-9+-eE.] (63 bytes at most) and what strtod reads of it,
 * then prints %1.15g, or %1.17g when that does not read back the same; inf (1e400) as null. */
static int j_number(jp_t *p)
{
    char num[64], out[32], *end;
    size_t k = 0;
    double d, back;
    while (k < sizeof num - 1 && p->i + k < p->n && strchr("0123456789+-eE.", p->s[p->i + k]) != NULL) {
        num[k] = (char)p->s[p->i + k];
        k++;
    }
    num[k] = '\0';
    d = strtod(num, &end);
    if (end == num) return -1;
    p->i += (size_t)(end - num);
    if (isnan(d) || isinf(d)) snprintf(out, sizeof out, "null");
    else {
        snprintf(out, sizeof out, "%1.15g", d);
        if (sscanf(out, "%lg", &back) != 1 || !same_double(back, d)) snprintf(out, sizeof out, "%1.17g", d);
    }
    puts_b(p->o, out);
    return 0;
}

/* A value at nesting @p depth, printed at cJSON's print depth @p pd (the message object is 1). */
static int j_value(jp_t *p, unsigned depth, unsigned pd)
{
    static const char *const lit[] = { "null", "false", "true" };
    int open = at(p, '[') ? ']' : at(p, '{') ? '}' : 0;
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(lit[k]);
        if (p->n - p->i >= n && memcmp(p->s + p->i, lit[k], n) == 0) {
            put(p->o, lit[k], n);
            p->i += n;
            return 0;
        }
    }
    if (at(p, '"')) return j_string(p);
    if (at(p, '-') || (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')) return j_number(p);
    if (!open || depth >= JSON_DEPTH_MAX) return -1;
    put(p->o, &p->s[p->i++], 1);
    if (open == '}' && p->pretty) put(p->o, "\n", 1);
    ws(p);
    if (!at(p, (char)open)) {
        for (;;) {
            ws(p);
            if (open == '}') {
                /* "key": value, the key indented a tab per print depth. */
                if (p->pretty) tabs(p->o, pd + 1);
                if (j_string(p) != 0) return -1;
                ws(p);
                if (!at(p, ':')) return -1;
                p->i++;
                puts_b(p->o, p->pretty ? ":\t" : ":");
                ws(p);
            }
            if (j_value(p, depth + 1, pd + 1) != 0) return -1;
            ws(p);
            if (!at(p, ',')) break;
            p->i++;
            puts_b(p->o, !p->pretty ? "," : open == ']' ? ", " : ",\n");
        }
        if (!at(p, (char)open)) return -1;
        if (open == '}' && p->pretty) put(p->o, "\n", 1);
    }
    if (open == '}' && p->pretty) tabs(p->o, pd);
    put(p->o, &p->s[p->i++], 1);
    return 0;
}

/* The whole payload is one JSON value (a UTF-8 byte order mark and white space around it
 * allowed, as cJSON_ParseWithOpts with require_null_terminated); 0, or -1: not JSON. */
static int json_payload(obuf_t *o, const uint8_t *s, size_t n, int pretty)
{
    jp_t p = { s, n, 0, o, pretty };
    if (memchr(s, 0, n) != NULL) return -1; /* cJSON reads a C string: it ends there */
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) p.i = 3;
    ws(&p);
    if (j_value(&p, 0, 1) != 0) return -1;
    ws(&p);
    return p.i == n ? 0 : -1;
}

/* ---- %j, %J: the message as one JSON object ------------------------------------------------ */

static void key(obuf_t *o, const char *name, int pretty, int first)
{
    if (!first) puts_b(o, pretty ? ",\n\t\"" : ",\"");
    else puts_b(o, pretty ? "{\n\t\"" : "{\"");
    puts_b(o, name);
    puts_b(o, pretty ? "\":\t" : "\":");
}

static void number(obuf_t *o, const char *name, unsigned long v, int pretty)
{
    char d[24];
    key(o, name, pretty, 0);
    snprintf(d, sizeof d, "%lu", v);
    puts_b(o, d);
}

/* 0, or -1 when @p raw (%J) and the payload is not JSON. An empty payload is null. */
static int json_message(obuf_t *o, const cli_format_msg_t *m, const struct tm *tm, long ns, int raw, int pretty)
{
    char tst[64], zone[16];
    /* The man page's form, 2020-05-06T22:12:00.000000+0100 (2.0.11 prints a Z before +0100). */
    if (strftime(tst, 32, "%Y-%m-%dT%H:%M:%S", tm) == 0 || strftime(zone, sizeof zone, "%z", tm) == 0) zone[0] = tst[0] = '\0';
    snprintf(tst + strlen(tst), sizeof tst - strlen(tst), ".%06ld%s", ns / 1000, zone);
    key(o, "tst", pretty, 1);
    json_string(o, (const uint8_t *)tst, strlen(tst));
    key(o, "topic", pretty, 0);
    json_string(o, m->topic, m->topic_len);
    number(o, "qos", m->qos, pretty);
    number(o, "retain", m->retain, pretty);
    number(o, "payloadlen", (unsigned long)m->payload_len, pretty);
    if (m->qos > 0) number(o, "mid", m->mid, pretty);
    key(o, "payload", pretty, 0);
    if (m->payload_len == 0) puts_b(o, "null");
    else if (!raw) json_string(o, m->payload, m->payload_len); /* every byte, a zero one too */
    else if (json_payload(o, m->payload, m->payload_len, pretty) != 0) return -1;
    puts_b(o, pretty ? "\n}" : "}");
    return 0;
}

/* ---- the format ---------------------------------------------------------------------------- */

void cli_format_print(FILE *out, const char *f, size_t n, const cli_format_msg_t *m, int pretty)
{
    struct timespec ts;
    struct tm tm;
    char t[100];
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    for (size_t i = 0; i < n; i++) {
        char c = f[i];
        if (c != '%' && c != '@') {
            putc(c, out);
            continue;
        }
        c = f[++i]; /* cli_args.c left no '%' or '@' last */
        if (f[i - 1] == '@') {
            /* @X is strftime's %X, @N the nanoseconds, @@ an @. */
            char spec[3] = { '%', c, '\0' };
            if (c == '@') putc('@', out);
            else if (c == 'N') fprintf(out, "%09ld", (long)ts.tv_nsec);
            else if (strftime(t, sizeof t, spec, &tm) > 0) fputs(t, out);
            continue;
        }
        switch (c) {
        case '%': putc('%', out); break;
        case 't': fwrite(m->topic, 1, m->topic_len, out); break;
        case 'p': fwrite(m->payload, 1, m->payload_len, out); break;
        case 'q': fprintf(out, "%u", m->qos); break;
        case 'r': fprintf(out, "%u", m->retain); break;
        case 'l': fprintf(out, "%zu", m->payload_len); break;
        case 'm': fprintf(out, "%u", m->mid); break;
        case 'x':
        case 'X':
            for (size_t k = 0; k < m->payload_len; k++) fprintf(out, c == 'x' ? "%02x" : "%02X", m->payload[k]);
            break;
        case 'I':
            if (strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S%z", &tm) > 0) fputs(t, out);
            break;
        case 'U': fprintf(out, "%lld.%09ld", (long long)ts.tv_sec, (long)ts.tv_nsec); break;
        case 'j':
        case 'J': {
            obuf_t o = { 0 };
            if (json_message(&o, m, &tm, (long)ts.tv_nsec, c == 'J', pretty) != 0)
                fprintf(stderr, "bmqtt-cli: -F %%J: the payload of the message on '%.*s' is not JSON\n", (int)m->topic_len,
                        (const char *)m->topic);
            else if (o.oom) fputs("bmqtt-cli: -F: out of memory\n", stderr);
            else fwrite(o.p, 1, o.len, out);
            free(o.p);
            break;
        }
        default: break; /* MQTT 5 properties: absent in 3.1.1, printed as nothing */
        }
    }
}
