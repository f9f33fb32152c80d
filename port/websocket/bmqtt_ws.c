/*
 * bmqtt WebSocket port: an RFC 6455 client as a bmqtt transport over any
 * other bmqtt transport.
 *
 * Three small machines share one context: the opening handshake (request
 * out of rx_buf, then the answer into rx_buf), the sender (one frame at a
 * time, masked into tx_buf in chunks) and the receiver (frame headers byte
 * by byte, data payloads straight to the caller). Nothing here allocates
 * and nothing waits: every call does what the lower transport allows.
 * The handshake and bmqtt_ws_setup() are in bmqtt_ws_handshake.c; what the
 * two files share is declared in bmqtt_ws_internal.h.
 */
#include "bmqtt_ws_internal.h"

#include <string.h>

enum { RX_HEADER = 0, RX_DATA, RX_CONTROL };

enum { OP_CONT = 0x0, OP_TEXT = 0x1, OP_BINARY = 0x2, OP_CLOSE = 0x8, OP_PING = 0x9, OP_PONG = 0xA };

/* RFC 6455 section 7.4.1 codes. */
enum { CLOSE_NORMAL = 1000, CLOSE_PROTOCOL = 1002, CLOSE_UNSUPPORTED = 1003, CLOSE_NONE = 1005,
       CLOSE_ABNORMAL = 1006, CLOSE_TOO_BIG = 1009 };

/* ------------------------------------------------------------------------ */
/* Status names                                                              */
/* ------------------------------------------------------------------------ */

static const char *ws_status_name(int status)
{
    switch (status) {
    case BMQTT_ERR_WS_HTTP_STATUS: return "WebSocket handshake refused (HTTP status not 101)";
    case BMQTT_ERR_WS_BAD_RESPONSE: return "WebSocket handshake: malformed or non-upgrade HTTP response";
    case BMQTT_ERR_WS_RESPONSE_TOO_LONG: return "WebSocket handshake: response larger than the receive buffer";
    case BMQTT_ERR_WS_ACCEPT: return "WebSocket handshake: bad Sec-WebSocket-Accept";
    case BMQTT_ERR_WS_SUBPROTOCOL: return "WebSocket handshake: subprotocol mqtt not selected";
    case BMQTT_ERR_WS_EXTENSION: return "WebSocket handshake: extension not offered";
    case BMQTT_ERR_WS_CLOSED: return "WebSocket closed by the peer";
    case BMQTT_ERR_WS_TEXT: return "WebSocket: text frame (MQTT needs binary)";
    case BMQTT_ERR_WS_RSV: return "WebSocket: RSV bit set";
    case BMQTT_ERR_WS_OPCODE: return "WebSocket: reserved opcode";
    case BMQTT_ERR_WS_MASKED: return "WebSocket: masked frame from the server";
    case BMQTT_ERR_WS_CONTROL: return "WebSocket: bad control frame";
    case BMQTT_ERR_WS_LENGTH: return "WebSocket: bad frame length encoding";
    case BMQTT_ERR_WS_FRAGMENT: return "WebSocket: bad fragmentation";
    case BMQTT_ERR_WS_TOO_BIG: return "WebSocket: frame larger than allowed";
    case BMQTT_ERR_WS_TRUNCATED: return "WebSocket: stream ended inside a frame or the handshake";
    case BMQTT_ERR_WS_RANDOM: return "WebSocket: random source failed";
    case BMQTT_ERR_WS_CRYPTO: return "WebSocket: SHA-1/base64 hook failed";
    default: return NULL;
    }
}

bmqtt_status_names_t bmqtt_ws_status_names_ = { BMQTT_STATUS_WS_BASE, BMQTT_STATUS_WS_BASE - 19, ws_status_name,
                                               "WebSocket error", NULL };

/* ------------------------------------------------------------------------ */
/* The lower transport                                                       */
/* ------------------------------------------------------------------------ */

/* A lower transport that reports more than it was given is broken: never trust it. */
int32_t bmqtt_ws_lower_send_(bmqtt_ws_t *ws, const uint8_t *buf, uint32_t len)
{
    int32_t r = ws->lower.send(ws->lower.ctx, buf, len);
    if (r == 0 || r == (int32_t)BMQTT_WOULD_BLOCK) {
        return (int32_t)BMQTT_WOULD_BLOCK;
    }
    if (r > 0 && (uint32_t)r > len) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_TRANSPORT);
    }
    if (r < 0) {
        return ws_fail(ws, r);
    }
    return r;
}

/* Like lower_send; the end of the stream is returned to the caller, not made sticky. */
int32_t bmqtt_ws_lower_recv_(bmqtt_ws_t *ws, uint8_t *buf, uint32_t len)
{
    int32_t r = ws->lower.recv(ws->lower.ctx, buf, len);
    if (r == 0 || r == (int32_t)BMQTT_WOULD_BLOCK) {
        return (int32_t)BMQTT_WOULD_BLOCK;
    }
    if (r > 0 && (uint32_t)r > len) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_TRANSPORT);
    }
    if (r < 0 && r != (int32_t)BMQTT_ERR_CLOSED) {
        return ws_fail(ws, r);
    }
    return r;
}

/* ------------------------------------------------------------------------ */
/* Sending frames                                                            */
/* ------------------------------------------------------------------------ */

/* Write what tx_buf holds. BMQTT_OK once it is empty. */
static int32_t tx_flush(bmqtt_ws_t *ws)
{
    while (ws->stg_off < ws->stg_len) {
        int32_t r = lower_send(ws, ws->cfg->tx_buf + ws->stg_off, ws->stg_len - ws->stg_off);
        if (r < 0) {
            return r;
        }
        ws->stg_off += (uint32_t)r;
    }
    ws->stg_off = ws->stg_len = 0u;
    return (int32_t)BMQTT_OK;
}

/* Start a frame in the empty tx_buf: FIN, opcode, mask bit, the shortest length, a fresh key. */
static int32_t frame_begin(bmqtt_ws_t *ws, uint8_t opcode, uint32_t len)
{
    uint8_t *p = ws->cfg->tx_buf;
    uint32_t n = 0u;
    if (ws->cfg->random(ws->cfg->random_ctx, ws->mask, sizeof ws->mask) != 0) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_RANDOM);
    }
    p[n++] = (uint8_t)(0x80u | opcode);
    if (len < 126u) {
        p[n++] = (uint8_t)(0x80u | len);
    } else if (len <= 0xFFFFu) {
        p[n++] = 0x80u | 126u;
        p[n++] = (uint8_t)(len >> 8);
        p[n++] = (uint8_t)len;
    } else {
        p[n++] = 0x80u | 127u;
        p[n++] = 0u;
        p[n++] = 0u;
        p[n++] = 0u;
        p[n++] = 0u;
        p[n++] = (uint8_t)(len >> 24);
        p[n++] = (uint8_t)(len >> 16);
        p[n++] = (uint8_t)(len >> 8);
        p[n++] = (uint8_t)len;
    }
    memcpy(p + n, ws->mask, sizeof ws->mask);
    ws->stg_len = n + (uint32_t)sizeof ws->mask;
    ws->stg_off = 0u;
    ws->tx_left = len;
    ws->mask_pos = 0u;
    return (int32_t)BMQTT_OK;
}

/* Mask @p n bytes of @p src into tx_buf (the caller's bytes stay as they are). */
static void frame_fill(bmqtt_ws_t *ws, const uint8_t *src, uint32_t n)
{
    uint8_t *dst = ws->cfg->tx_buf + ws->stg_len;
    uint32_t i;
    for (i = 0u; i < n; i++) {
        dst[i] = (uint8_t)(src[i] ^ ws->mask[(ws->mask_pos + i) & 3u]);
    }
    ws->mask_pos = (uint8_t)((ws->mask_pos + n) & 3u);
    ws->stg_len += n;
    ws->tx_left -= n;
}

/* Queue a control frame; it goes out at the next frame boundary. A close
 * frame replaces a pong still waiting, and nothing follows a close. */
static void ctrl_queue(bmqtt_ws_t *ws, uint8_t op, const uint8_t *payload, uint8_t len)
{
    if (ws->close_sent != 0u || ws->ctrl_tx_op == OP_CLOSE) {
        return;
    }
    ws->ctrl_tx_op = op;
    ws->ctrl_tx_len = len;
    if (len != 0u) {
        memcpy(ws->ctrl_tx, payload, len);
    }
}

static void close_queue(bmqtt_ws_t *ws, uint16_t code)
{
    uint8_t p[2];
    p[0] = (uint8_t)(code >> 8);
    p[1] = (uint8_t)code;
    ctrl_queue(ws, OP_CLOSE, p, 2u);
}

/* Empty tx_buf and send the control frame waiting, if any, when no data
 * frame is half written. BMQTT_OK when nothing is left to write. */
static int32_t tx_pump(bmqtt_ws_t *ws)
{
    for (;;) {
        int32_t r = tx_flush(ws);
        if (r != (int32_t)BMQTT_OK) {
            return r;
        }
        if (ws->tx_left != 0u || ws->ctrl_tx_op == 0u) {
            return (int32_t)BMQTT_OK;
        }
        r = frame_begin(ws, ws->ctrl_tx_op, ws->ctrl_tx_len);
        if (r != (int32_t)BMQTT_OK) {
            return r;
        }
        frame_fill(ws, ws->ctrl_tx, ws->ctrl_tx_len); /* fits: tx_size >= BMQTT_WS_TX_MIN */
        if (ws->ctrl_tx_op == OP_CLOSE) {
            ws->close_sent = 1u;
        }
        ws->ctrl_tx_op = 0u;
    }
}

/* ------------------------------------------------------------------------ */
/* Receiving frames                                                          */
/* ------------------------------------------------------------------------ */

/* The server broke a framing rule: say why in a close frame, then stop. */
static int32_t frame_error(bmqtt_ws_t *ws, int32_t st, uint16_t code)
{
    close_queue(ws, code);
    (void)ws_fail(ws, st);
    (void)tx_pump(ws); /* one attempt now; bmqtt_ws_close() tries again */
    return st;
}

static int close_code_valid(uint16_t c)
{
    return (c >= 1000u && c <= 1003u) || (c >= 1007u && c <= 1014u) || (c >= 3000u && c <= 4999u);
}

/* A complete control frame (its payload in ctrl_rx). */
static int32_t control_done(bmqtt_ws_t *ws)
{
    if (ws->rx_op == OP_PING) {
        ctrl_queue(ws, OP_PONG, ws->ctrl_rx, ws->ctrl_rx_len); /* the latest ping wins */
        return (int32_t)BMQTT_OK;
    }
    if (ws->rx_op == OP_PONG) {
        return (int32_t)BMQTT_OK;
    }
    /* Close: echo the code (section 5.5.1), then report it. */
    if (ws->ctrl_rx_len == 0u) {
        ws->close_code = CLOSE_NONE;
        ctrl_queue(ws, OP_CLOSE, NULL, 0u);
    } else {
        uint16_t code = (uint16_t)(((uint16_t)ws->ctrl_rx[0] << 8) | ws->ctrl_rx[1]);
        if (ws->ctrl_rx_len == 1u || !close_code_valid(code)) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_CONTROL, CLOSE_PROTOCOL);
        }
        ws->close_code = code;
        close_queue(ws, code);
    }
    (void)ws_fail(ws, (int32_t)BMQTT_ERR_WS_CLOSED);
    (void)tx_pump(ws);
    return (int32_t)BMQTT_ERR_WS_CLOSED;
}

/* The header in hdr[] is complete: check the length and enter the payload. */
static int32_t header_done(bmqtt_ws_t *ws)
{
    uint32_t max = ws->cfg->max_frame != 0u ? ws->cfg->max_frame : BMQTT_WS_MAX_FRAME_DEFAULT;
    uint32_t len = (uint32_t)(ws->hdr[1] & 0x7Fu);
    if (len == 126u) {
        len = ((uint32_t)ws->hdr[2] << 8) | ws->hdr[3];
        if (len < 126u) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_LENGTH, CLOSE_PROTOCOL);
        }
    } else if (len == 127u) {
        const uint8_t *h = ws->hdr + 2;
        if ((h[0] & 0x80u) != 0u) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_LENGTH, CLOSE_PROTOCOL);
        }
        if ((h[0] | h[1] | h[2] | h[3]) != 0u) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_TOO_BIG, CLOSE_TOO_BIG);
        }
        len = ((uint32_t)h[4] << 24) | ((uint32_t)h[5] << 16) | ((uint32_t)h[6] << 8) | h[7];
        if (len <= 0xFFFFu) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_LENGTH, CLOSE_PROTOCOL);
        }
    }
    ws->hdr_len = 0u;
    ws->rx_left = len;
    if (ws->rx_op >= OP_CLOSE) {
        ws->rx_state = RX_CONTROL;
        ws->ctrl_rx_len = 0u;
        if (len == 0u) {
            ws->rx_state = RX_HEADER;
            return control_done(ws);
        }
        return (int32_t)BMQTT_OK;
    }
    if (len > max) {
        return frame_error(ws, (int32_t)BMQTT_ERR_WS_TOO_BIG, CLOSE_TOO_BIG);
    }
    ws->in_message = ws->rx_fin == 0u;
    ws->rx_state = len == 0u ? RX_HEADER : RX_DATA;
    return (int32_t)BMQTT_OK;
}

/* One header byte. Each rule is checked as soon as its byte is in. */
static int32_t header_byte(bmqtt_ws_t *ws, uint8_t b)
{
    ws->hdr[ws->hdr_len++] = b;
    if (ws->hdr_len == 1u) {
        uint8_t op = (uint8_t)(b & 0x0Fu);
        ws->rx_fin = (uint8_t)(b >> 7);
        ws->rx_op = op;
        if ((b & 0x70u) != 0u) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_RSV, CLOSE_PROTOCOL);
        }
        if (op == OP_TEXT) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_TEXT, CLOSE_UNSUPPORTED); /* [MQTT-6.0.0-1] */
        }
        if ((op > OP_BINARY && op < OP_CLOSE) || op > OP_PONG) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_OPCODE, CLOSE_PROTOCOL);
        }
        if (op >= OP_CLOSE && ws->rx_fin == 0u) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_CONTROL, CLOSE_PROTOCOL); /* section 5.5 */
        }
        if ((op == OP_CONT) != (ws->in_message != 0u) && op < OP_CLOSE) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_FRAGMENT, CLOSE_PROTOCOL); /* section 5.4 */
        }
        return (int32_t)BMQTT_OK;
    }
    if (ws->hdr_len == 2u) {
        uint8_t len7 = (uint8_t)(b & 0x7Fu);
        if ((b & 0x80u) != 0u) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_MASKED, CLOSE_PROTOCOL); /* section 5.1 */
        }
        if (ws->rx_op >= OP_CLOSE && len7 > BMQTT_WS_CONTROL_MAX) {
            return frame_error(ws, (int32_t)BMQTT_ERR_WS_CONTROL, CLOSE_PROTOCOL);
        }
        ws->hdr_need = (uint8_t)(len7 == 126u ? 4u : (len7 == 127u ? 10u : 2u));
    }
    return ws->hdr_len == ws->hdr_need ? header_done(ws) : (int32_t)BMQTT_OK;
}

/* Consume read-ahead bytes; data payload goes to buf[*got..len). Stops when
 * the read-ahead is empty, buf is full, or on an error. */
static int32_t rx_parse(bmqtt_ws_t *ws, uint8_t *buf, uint32_t len, uint32_t *got)
{
    const uint8_t *p = ws->cfg->rx_buf;
    while (ws->rx_pos < ws->rx_len) {
        uint32_t avail = ws->rx_len - ws->rx_pos;
        uint32_t n;
        int32_t r;
        if (ws->rx_state == RX_HEADER) {
            if (ws->hdr_len == 0u) {
                ws->hdr_need = 2u;
            }
            r = header_byte(ws, p[ws->rx_pos++]);
            if (r != (int32_t)BMQTT_OK) {
                return r;
            }
            continue;
        }
        n = ws->rx_left < avail ? ws->rx_left : avail;
        if (ws->rx_state == RX_DATA) {
            if (n > len - *got) {
                n = len - *got;
            }
            if (n == 0u) {
                return (int32_t)BMQTT_OK; /* the caller's buffer is full */
            }
            memcpy(buf + *got, p + ws->rx_pos, n);
            *got += n;
        } else {
            memcpy(ws->ctrl_rx + ws->ctrl_rx_len, p + ws->rx_pos, n);
            ws->ctrl_rx_len = (uint8_t)(ws->ctrl_rx_len + n);
        }
        ws->rx_pos += n;
        ws->rx_left -= n;
        if (ws->rx_left == 0u) {
            r = ws->rx_state == RX_CONTROL ? control_done(ws) : (int32_t)BMQTT_OK;
            ws->rx_state = RX_HEADER;
            if (r != (int32_t)BMQTT_OK) {
                return r;
            }
        }
    }
    ws->rx_pos = ws->rx_len = 0u;
    return (int32_t)BMQTT_OK;
}

/* The lower stream ended: in order only between whole messages. */
static int32_t rx_end(bmqtt_ws_t *ws)
{
    ws->close_code = CLOSE_ABNORMAL;
    if (ws->rx_state != RX_HEADER || ws->hdr_len != 0u || ws->in_message != 0u) {
        return ws_fail(ws, (int32_t)BMQTT_ERR_WS_TRUNCATED);
    }
    return ws_fail(ws, (int32_t)BMQTT_ERR_CLOSED);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */
/* ------------------------------------------------------------------------ */

void bmqtt_ws_init(bmqtt_ws_t *ws)
{
    bmqtt_status_register(&bmqtt_ws_status_names_);
    if (ws != NULL) {
        memset(ws, 0, sizeof *ws);
    }
}

void bmqtt_ws_transport(bmqtt_ws_t *ws, bmqtt_transport_t *t)
{
    if (t == NULL) {
        return;
    }
    t->send = bmqtt_ws_send;
    t->recv = bmqtt_ws_recv;
    t->close = bmqtt_ws_close;
    t->ctx = ws;
}

int32_t bmqtt_ws_send(void *ctx, const uint8_t *buf, size_t len)
{
    bmqtt_ws_t *ws = (bmqtt_ws_t *)ctx;
    uint32_t want;
    uint32_t taken = 0u;
    int32_t r;

    if (ws == NULL || (buf == NULL && len != 0u)) {
        return (int32_t)BMQTT_ERR_PARAM;
    }
    r = ws_step(ws);
    if (r != (int32_t)BMQTT_OK) {
        return r;
    }
    want = clamp32(len);
    for (;;) {
        uint32_t n;
        r = tx_pump(ws);
        if (r != (int32_t)BMQTT_OK) {
            break;
        }
        if (taken == want) {
            break;
        }
        if (ws->tx_left == 0u) {
            n = want - taken;
            if (ws->cfg->max_send_frame != 0u && n > ws->cfg->max_send_frame) {
                n = ws->cfg->max_send_frame;
            }
            r = frame_begin(ws, OP_BINARY, n);
            if (r != (int32_t)BMQTT_OK) {
                break;
            }
        }
        n = want - taken;
        if (n > ws->tx_left) {
            n = ws->tx_left;
        }
        if (n > clamp32(ws->cfg->tx_size) - ws->stg_len) {
            n = clamp32(ws->cfg->tx_size) - ws->stg_len;
        }
        frame_fill(ws, buf + taken, n);
        taken += n;
    }
    if (taken > 0u) {
        return (int32_t)taken; /* masked into a frame: ours now; an error shows on the next call */
    }
    return len == 0u && r == (int32_t)BMQTT_OK ? 0 : r;
}

int32_t bmqtt_ws_recv(void *ctx, uint8_t *buf, size_t len)
{
    bmqtt_ws_t *ws = (bmqtt_ws_t *)ctx;
    uint32_t want;
    uint32_t got = 0u;
    int32_t r;

    if (ws == NULL || (buf == NULL && len != 0u)) {
        return (int32_t)BMQTT_ERR_PARAM;
    }
    r = ws_step(ws);
    if (r != (int32_t)BMQTT_OK) {
        return r;
    }
    /* A frame still on its way out goes first; if it cannot go now, reading goes on. */
    r = tx_pump(ws);
    if (r != (int32_t)BMQTT_OK && r != (int32_t)BMQTT_WOULD_BLOCK) {
        return r;
    }
    if (len == 0u) {
        return 0;
    }
    want = clamp32(len);
    for (;;) {
        if (ws->rx_pos < ws->rx_len) {
            r = rx_parse(ws, buf, want, &got);
            if (r != (int32_t)BMQTT_OK || got == want) {
                break;
            }
            continue;
        }
        if (got > 0u) {
            break;
        }
        if (ws->rx_state == RX_DATA) {
            /* Nothing read ahead: payload goes straight into the caller's buffer. */
            uint32_t n = ws->rx_left < want ? ws->rx_left : want;
            r = lower_recv(ws, buf, n);
            if (r > 0) {
                got = (uint32_t)r;
                ws->rx_left -= got;
                if (ws->rx_left == 0u) {
                    ws->rx_state = RX_HEADER;
                }
                break;
            }
        } else {
            r = lower_recv(ws, ws->cfg->rx_buf, clamp32(ws->cfg->rx_size));
            if (r > 0) {
                ws->rx_pos = 0u;
                ws->rx_len = (uint32_t)r;
                continue;
            }
        }
        if (r == (int32_t)BMQTT_ERR_CLOSED) {
            r = rx_end(ws);
        }
        break;
    }
    if (ws->status == 0) {
        (void)tx_pump(ws); /* a pong the frames just asked for */
    }
    if (got > 0u) {
        return (int32_t)got; /* an error found after these bytes shows on the next call */
    }
    return r;
}

void bmqtt_ws_close(void *ctx)
{
    bmqtt_ws_t *ws = (bmqtt_ws_t *)ctx;
    if (ws == NULL || ws->state == WS_ST_NEW || ws->state == WS_ST_CLOSED) {
        return;
    }
    /* A close frame (1000, or the answer still owed), one attempt without
     * waiting, while the lower transport still works. A data frame half
     * written cannot be interrupted: then only its staged bytes go. */
    if (ws->state == WS_ST_OPEN &&
        (ws->status == 0 || BMQTT_WS_IS_FRAME_ERROR(ws->status) || ws->status == BMQTT_ERR_WS_CLOSED)) {
        close_queue(ws, CLOSE_NORMAL);
        (void)tx_pump(ws);
    }
    if (ws->lower.close != NULL) {
        ws->lower.close(ws->lower.ctx);
    }
    ws->state = WS_ST_CLOSED;
}

bmqtt_status_t bmqtt_ws_reset(bmqtt_ws_t *ws)
{
    const bmqtt_ws_config_t *cfg;
    bmqtt_transport_t lower;
    if (ws == NULL || ws->cfg == NULL) {
        return BMQTT_ERR_PARAM;
    }
    cfg = ws->cfg;
    lower = ws->lower;
    memset(ws, 0, sizeof *ws);
    ws->cfg = cfg;
    ws->lower = lower;
    ws->state = WS_ST_READY;
    return BMQTT_OK;
}

int bmqtt_ws_is_open(const bmqtt_ws_t *ws)
{
    return ws != NULL && ws->opened != 0u;
}

int bmqtt_ws_pending(const bmqtt_ws_t *ws)
{
    return ws != NULL && ws->state == WS_ST_OPEN && ws->status == 0 && ws->rx_pos < ws->rx_len;
}

int bmqtt_ws_tx_pending(const bmqtt_ws_t *ws)
{
    return ws != NULL && ws->stg_off < ws->stg_len;
}

uint16_t bmqtt_ws_http_status(const bmqtt_ws_t *ws)
{
    return ws != NULL ? ws->http_status : 0u;
}

uint16_t bmqtt_ws_close_code(const bmqtt_ws_t *ws)
{
    return ws != NULL ? ws->close_code : 0u;
}
