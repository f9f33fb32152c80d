/*
 * The AT interpreter's input: bytes from the UART to lines (the 256-byte limit, the raw bytes
 * after a '>' prompt), a line to a command of the table with its form and parameters; and the
 * output every file writes with.
 */
#include <string.h>

#include "bmqtt_at_internal.h"

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

void bmqtt_at_out(bmqtt_at_t *at, const char *s, size_t n)
{
    if (n > 0u) {
        at->cfg->write(at->cfg->user, (const uint8_t *)s, n);
    }
}

void bmqtt_at_outs(bmqtt_at_t *at, const char *s)
{
    bmqtt_at_out(at, s, strlen(s));
}

void bmqtt_at_out_u32(bmqtt_at_t *at, uint32_t v)
{
    char b[10];
    size_t i = sizeof b;
    do {
        b[--i] = (char)('0' + (char)(v % 10u));
        v /= 10u;
    } while (v != 0u); /* 10 digits hold any uint32_t */
    bmqtt_at_out(at, b + i, sizeof b - i);
}

/* "ERR CODE:0x%08x\r\n", printed only after AT+SYSLOG=1. */
void bmqtt_at_err_code(bmqtt_at_t *at, uint32_t code)
{
    static const char hex[] = "0123456789abcdef";
    char b[19];
    unsigned i;
    if (!at->syslog) {
        return;
    }
    memcpy(b, "ERR CODE:0x", 11u);
    for (i = 0u; i < 8u; i++) {
        b[11u + i] = hex[(code >> (28u - 4u * i)) & 0xFu];
    }
    bmqtt_at_out(at, b, sizeof b);
    bmqtt_at_outs(at, "\r\n");
}

void bmqtt_at_reply_ok(bmqtt_at_t *at)
{
    bmqtt_at_outs(at, "\r\nOK\r\n");
}

void bmqtt_at_reply_error(bmqtt_at_t *at)
{
    bmqtt_at_outs(at, "\r\nERROR\r\n");
}

/* A failed command: the parser's code for parameter @p idx (when >= 0), the MQTT code (when non-zero), ERROR. */
void bmqtt_at_fail(bmqtt_at_t *at, int idx, uint16_t code)
{
    if (idx >= 0) {
        bmqtt_at_err_code(at, ((uint32_t)ERR_SUB_PARAM << 16) | (uint32_t)idx);
    }
    if (code != 0u) {
        bmqtt_at_err_code(at, ((uint32_t)ERR_SUB_MQTT << 16) | code);
    }
    bmqtt_at_reply_error(at);
}

void bmqtt_at_write(bmqtt_at_t *at, const char *buf, size_t len)
{
    if (at != NULL && at->cfg != NULL && buf != NULL) {
        bmqtt_at_out(at, buf, len);
    }
}

void bmqtt_at_ok(bmqtt_at_t *at)
{
    if (at != NULL && at->cfg != NULL) {
        bmqtt_at_reply_ok(at);
    }
}

void bmqtt_at_error(bmqtt_at_t *at)
{
    if (at != NULL && at->cfg != NULL) {
        bmqtt_at_reply_error(at);
    }
}

/* ------------------------------------------------------------------------ */
/* Parameters                                                               */
/* ------------------------------------------------------------------------ */

/* Split at every ',' that a '\' does not escape; quotes do not protect commas (as the firmware). */
static void split(char *s, size_t n, bmqtt_at_args_t *a)
{
    size_t i, start = 0u;
    a->n = a->count = 0u;
    for (i = 0u; i <= n; i++) {
        if (i < n && s[i] == '\\') {
            i++; /* the next byte is escaped, whatever it is */
            continue;
        }
        if (i >= n || s[i] == ',') {
            size_t end = i > n ? n : i;
            if (a->n < AT_MAX_FIELDS) {
                a->f[a->n].p = s + start;
                a->f[a->n].len = end - start;
                a->n++;
            }
            a->count++;
            start = i + 1u;
        }
    }
}

int bmqtt_at_present(const bmqtt_at_args_t *a, size_t i)
{
    return i < a->n && a->f[i].len > 0u;
}

/* An integer: optional '-', decimal or 0x hex, leading zeros; 32 bits; negatives wrap (ranges are unsigned).
 * Callers pass a present (non-empty) field. */
int bmqtt_at_parse_u32(const field_t *f, uint32_t *v)
{
    const char *p = f->p;
    size_t n = f->len, i = 0u;
    uint64_t acc = 0u;
    unsigned base = 10u;
    int neg = 0, digits = 0;
    if (p[0] == '-') {
        neg = 1;
        i = 1u;
    }
    if (n >= i + 2u && p[i] == '0' && (p[i + 1u] == 'x' || p[i + 1u] == 'X')) {
        base = 16u;
        i += 2u;
    }
    for (; i < n; i++) {
        unsigned d;
        char c = p[i];
        if (c >= '0' && c <= '9') {
            d = (unsigned)(c - '0');
        } else if (base == 16u && c >= 'a' && c <= 'f') {
            d = (unsigned)(c - 'a') + 10u;
        } else if (base == 16u && c >= 'A' && c <= 'F') {
            d = (unsigned)(c - 'A') + 10u;
        } else {
            return -1;
        }
        acc = acc * base + d;
        if (acc > 0xFFFFFFFFu) {
            return -1;
        }
        digits = 1;
    }
    if (!digits || (neg && acc > 0x80000000u)) {
        return -1;
    }
    *v = neg ? (uint32_t)(0u - (uint32_t)acc) : (uint32_t)acc;
    return 0;
}

/* A quoted string, unescaped in place: '\' takes the next byte literally; an unescaped '"' inside fails. */
int bmqtt_at_parse_str(field_t *f, char **s, size_t *len)
{
    char *p = f->p;
    size_t n = f->len, i = 1u, o = 0u;
    if (n < 2u || p[0] != '"') {
        return -1;
    }
    while (i < n) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1u >= n) {
                return -1;
            }
            p[o++] = p[i + 1u];
            i += 2u;
            continue;
        }
        if (c == '"') {
            if (i != n - 1u) {
                return -1;
            }
            *s = p;
            *len = o;
            p[o] = '\0'; /* o < i: the closing quote's place or earlier */
            return 0;
        }
        p[o++] = c;
        i++;
    }
    return -1; /* no closing quote (or it was escaped) */
}

/* ------------------------------------------------------------------------ */
/* Lines                                                                    */
/* ------------------------------------------------------------------------ */

static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static int name_is(const char *s, size_t n, const char *name)
{
    size_t i;
    for (i = 0u; i < n; i++) {
        if (name[i] == '\0' || upper(s[i]) != name[i]) {
            return 0;
        }
    }
    return name[n] == '\0';
}

/* A whole line, CR LF included, in at->line[0..line_len). */
static void line_done(bmqtt_at_t *at)
{
    char *t = at->line;
    size_t n = (size_t)at->line_len - 2u, name_n = 0u;
    size_t i;
    int form;
    bmqtt_at_args_t a;
    if (at->echo) {
        bmqtt_at_out(at, at->line, at->line_len);
    }
    at->line_len = 0u;
    if (n == 0u) {
        return; /* an empty line is ignored */
    }
    if (at->wait != W_NONE) {
        bmqtt_at_err_code(at, (uint32_t)ERR_SUB_BUSY << 16);
        bmqtt_at_outs(at, "\r\nbusy p...\r\n");
        return;
    }
    t[n] = '\0';
    if (n < 2u || !((t[0] == 'A' && t[1] == 'T') || (t[0] == 'a' && t[1] == 't'))) {
        bmqtt_at_err_code(at, (uint32_t)ERR_SUB_UNKNOWN << 16);
        bmqtt_at_reply_error(at);
        return;
    }
    t += 2;
    n -= 2u;
    if (n == 0u) {
        bmqtt_at_reply_ok(at); /* AT */
        return;
    }
    while (name_n < n && t[name_n] != '=' && t[name_n] != '?') {
        name_n++;
    }
    if (name_n == n) {
        form = F_EXEC;
    } else if (t[name_n] == '?' && name_n + 1u == n) {
        form = F_QUERY;
    } else if (t[name_n] == '=' && name_n + 2u == n && t[name_n + 1u] == '?') {
        form = F_TEST;
    } else if (t[name_n] == '=') {
        form = F_SET;
    } else {
        form = 0;
    }
    for (i = 0u; i < bmqtt_at_command_count; i++) {
        const bmqtt_at_cmd_t *c = &bmqtt_at_commands[i];
        if (name_is(t, name_n, c->name)) {
            if ((c->forms & FORM(form)) == 0u) {
                bmqtt_at_reply_error(at); /* a form it does not have (the MQTT commands have only the set form) */
                return;
            }
            if (form == F_SET) {
                split(t + name_n + 1u, n - name_n - 1u, &a);
            } else {
                a.n = a.count = 0u;
            }
            a.form = (uint8_t)form;
            a.arg = c->arg;
            c->run(at, &a);
            return;
        }
    }
    if (at->cfg->command != NULL && at->cfg->command(at->cfg->user, at, t, n)) {
        return;
    }
    bmqtt_at_err_code(at, (uint32_t)ERR_SUB_UNKNOWN << 16);
    bmqtt_at_reply_error(at);
}

/* A line over BMQTT_AT_LINE_MAX has ended: one answer for it. */
static void overlong(bmqtt_at_t *at)
{
    if (at->wait != W_NONE) {
        bmqtt_at_err_code(at, (uint32_t)ERR_SUB_BUSY << 16);
        bmqtt_at_outs(at, "\r\nbusy p...\r\n");
    } else {
        bmqtt_at_reply_error(at);
    }
}

static uint8_t *raw_dest(bmqtt_at_t *at)
{
    switch (at->raw_kind) {
    case RAW_CLIENT_ID: return (uint8_t *)at->client_id;
    case RAW_USERNAME: return (uint8_t *)at->username;
    case RAW_PASSWORD: return (uint8_t *)at->password;
    default: return at->cfg->raw_buf;
    }
}

bmqtt_status_t bmqtt_at_input(bmqtt_at_t *at, const uint8_t *buf, size_t len)
{
    size_t i = 0u;
    if (at == NULL || at->cfg == NULL || (buf == NULL && len > 0u)) {
        return BMQTT_ERR_PARAM;
    }
    if (at->depth) {
        return BMQTT_ERR_AT_REENTERED;
    }
    at->depth = 1u;
    while (i < len) {
        if (at->mode == MODE_RAW) {
            /* Exactly raw_need bytes, not escaped, no CR LF, no timeout; what follows is the next command. */
            size_t take = len - i;
            if (take > at->raw_need - at->raw_got) {
                take = at->raw_need - at->raw_got;
            }
            memcpy(raw_dest(at) + at->raw_got, buf + i, take);
            at->raw_got += (uint32_t)take;
            i += take;
            if (at->raw_got == at->raw_need) {
                bmqtt_at_raw_done(at);
            }
            continue;
        }
        {
            char c = (char)buf[i++];
            if (at->overflow) {
                /* A line over the limit: drop it up to its CR LF, then answer once. */
                if (at->cr && c == '\n') {
                    at->overflow = 0u;
                    at->cr = 0u;
                    overlong(at);
                } else {
                    at->cr = c == '\r';
                }
                continue;
            }
            if (at->line_len < BMQTT_AT_LINE_MAX) {
                at->line[at->line_len++] = c;
                if (c == '\n' && at->line_len >= 2u && at->line[at->line_len - 2u] == '\r') {
                    line_done(at);
                }
                continue;
            }
            /* The line is full and this byte does not end it: drop the line up to its CR LF,
             * this byte included (it is read again in overflow mode; a CR at 256 and LF at 257 end it). */
            at->overflow = 1u;
            at->cr = (uint8_t)(at->line[BMQTT_AT_LINE_MAX - 1u] == '\r');
            at->line_len = 0u;
            i--;
        }
    }
    at->depth = 0u;
    return BMQTT_OK;
}
