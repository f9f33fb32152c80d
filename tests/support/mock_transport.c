#include "mock_transport.h"

#include <stdio.h>
#include <string.h>

static int32_t mock_send(void *ctx, const uint8_t *buf, size_t len)
{
    mock_t *m = ctx;
    if (m->closed) return BMQTT_ERR_CLOSED;
    m->send_calls++;
    if (m->send_block_every && m->send_calls % m->send_block_every == 0) return BMQTT_WOULD_BLOCK;
    if (m->max_send && len > m->max_send) len = m->max_send;
    if (m->drop_at_out) {
        if (m->out_total >= m->drop_at_out) {
            m->closed = 1;
            return BMQTT_ERR_CLOSED;
        }
        if (len > m->drop_at_out - m->out_total) len = m->drop_at_out - m->out_total;
    }
    if (len > sizeof m->out - m->out_len) len = sizeof m->out - m->out_len;
    memcpy(m->out + m->out_len, buf, len);
    m->out_len += len;
    m->out_total += len;
    return (int32_t)len;
}

static int32_t mock_recv(void *ctx, uint8_t *buf, size_t len)
{
    mock_t *m = ctx;
    size_t avail = m->in_len - m->in_pos;
    if (m->closed) return BMQTT_ERR_CLOSED;
    m->recv_calls++;
    if (m->recv_block_every && m->recv_calls % m->recv_block_every == 0) return BMQTT_WOULD_BLOCK;
    if (avail == 0) return m->fail_recv ? m->fail_recv : BMQTT_WOULD_BLOCK;
    if (len > avail) len = avail;
    if (m->max_recv && len > m->max_recv) len = m->max_recv;
    memcpy(buf, m->in + m->in_pos, len);
    m->in_pos += len;
    return (int32_t)len;
}

static void mock_close(void *ctx)
{
    ((mock_t *)ctx)->closed = 1;
}

void mock_init(mock_t *m, bmqtt_transport_t *t)
{
    memset(m, 0, sizeof *m);
    t->send = mock_send;
    t->recv = mock_recv;
    t->close = mock_close;
    t->ctx = m;
}

void mock_push(mock_t *m, const uint8_t *bytes, size_t len)
{
    if (m->in_pos == m->in_len) m->in_pos = m->in_len = 0;
    memcpy(m->in + m->in_len, bytes, len);
    m->in_len += len;
}

void mock_push_hex(mock_t *m, const char *hex)
{
    uint8_t b[4096];
    size_t n = 0;
    unsigned v;
    int used;
    while (sscanf(hex, " %2x%n", &v, &used) == 1) {
        b[n++] = (uint8_t)v;
        hex += used;
    }
    mock_push(m, b, n);
}

const char *mock_take_hex(mock_t *m)
{
    static char s[3 * sizeof m->out + 1];
    size_t k = 0;
    for (size_t i = 0; i < m->out_len && k + 4 < sizeof s; i++) k += (size_t)sprintf(s + k, i ? " %02X" : "%02X", m->out[i]);
    s[k] = 0;
    m->out_len = 0;
    return s;
}
