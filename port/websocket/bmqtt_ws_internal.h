/* What the WebSocket port's two files share: the handshake's states, the sticky failure,
 * and the calls bmqtt_ws.c (framing, the transport calls) and bmqtt_ws_handshake.c (the
 * opening handshake, setup) make across. Not part of the public API. */
#ifndef BMQTT_WS_INTERNAL_H
#define BMQTT_WS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt_ws.h"
#include "bmqtt/config.h"

enum {
    WS_ST_NEW = 0,  /* initialised, not set up */
    WS_ST_READY,    /* set up: the request is built by the next call */
    WS_ST_REQUEST,  /* sending the request */
    WS_ST_RESPONSE, /* reading the answer */
    WS_ST_OPEN,     /* handshake accepted */
    WS_ST_CLOSED    /* closed by bmqtt_ws_close() */
};

/* The first failure sticks: every later call returns it. */
static inline int32_t ws_fail(bmqtt_ws_t *ws, int32_t st)
{
    if (ws->status == 0) {
        ws->status = st;
        BMQTT_LOG("bmqtt ws: connection failed: %s (%d)", bmqtt_status_str((bmqtt_status_t)st), (int)st);
    }
    BMQTT_ASSERT(ws->status < 0);
    return ws->status;
}

static inline uint32_t clamp32(size_t n)
{
    return n > (size_t)INT32_MAX ? (uint32_t)INT32_MAX : (uint32_t)n;
}

/* In bmqtt_ws.c: the status names (registered by init and setup) and the lower transport. */
extern bmqtt_status_names_t bmqtt_ws_status_names_;
int32_t bmqtt_ws_lower_send_(bmqtt_ws_t *ws, const uint8_t *buf, uint32_t len);
int32_t bmqtt_ws_lower_recv_(bmqtt_ws_t *ws, uint8_t *buf, uint32_t len);
/* In bmqtt_ws_handshake.c: advance the handshake; BMQTT_OK once it is over. */
int32_t bmqtt_ws_step_(bmqtt_ws_t *ws);

static inline int32_t lower_send(bmqtt_ws_t *ws, const uint8_t *buf, uint32_t len)
{
    return bmqtt_ws_lower_send_(ws, buf, len);
}

static inline int32_t lower_recv(bmqtt_ws_t *ws, uint8_t *buf, uint32_t len)
{
    return bmqtt_ws_lower_recv_(ws, buf, len);
}

static inline int32_t ws_step(bmqtt_ws_t *ws)
{
    return bmqtt_ws_step_(ws);
}

#endif
