/**
 * @file bmqtt_ws.h
 * @brief MQTT over WebSocket (RFC 6455, MQTT 3.1.1 section 6) over any bmqtt transport.
 *
 * A bmqtt_ws_t wraps a lower bmqtt_transport_t (POSIX sockets, lwIP, or TLS
 * over either: `wss` is WebSocket over TLS over TCP) and is itself a
 * bmqtt_transport_t: give it to the client like any other transport. It is
 * a client only, strict about what the server sends, and allocates nothing:
 * the context and both buffers belong to the caller.
 *
 * **Opening handshake.** Driven by the transport's own send and recv, like
 * the TLS port: until the server's 101 has been checked, every call
 * advances the handshake as far as the lower transport allows and returns
 * BMQTT_WOULD_BLOCK, so a client that simply polls its transport connects
 * without knowing. bmqtt_ws_handshake() drives it explicitly. The request
 * (RFC 6455 section 4.1) carries `Host`, `Upgrade: websocket`,
 * `Connection: Upgrade`, a fresh `Sec-WebSocket-Key` (16 bytes from the
 * caller's random source), `Sec-WebSocket-Version: 13`,
 * `Sec-WebSocket-Protocol: mqtt` [MQTT-6.0.0-3] and the caller's extra
 * header lines (an `Origin`, an `Authorization` token). The answer must be
 * `HTTP/1.1 101` with `Upgrade: websocket` and `Connection: upgrade`
 * (case-insensitive, anywhere in a token list), `Sec-WebSocket-Accept`
 * equal to base64(SHA-1(key + GUID)), no `Sec-WebSocket-Extensions` (none
 * was offered) and `Sec-WebSocket-Protocol: mqtt` [MQTT-6.0.0-4]. It may
 * arrive in any number of pieces, and together with the first frames.
 *
 * **Policy choices** (where RFC 6455 leaves the client a choice):
 *  - a 101 without `Sec-WebSocket-Protocol` is refused
 *    (BMQTT_ERR_WS_SUBPROTOCOL): the server has not said it speaks MQTT.
 *    Set bmqtt_ws_config_t::allow_no_subprotocol for a proxy that strips
 *    the header. A subprotocol other than `mqtt` is always refused;
 *  - a frame length in more bytes than needed (126 with a 16-bit value
 *    under 126, 127 with a 64-bit value under 65,536) is refused as a
 *    protocol error (BMQTT_ERR_WS_LENGTH, close 1002): section 5.2 says
 *    the minimal number of bytes MUST be used;
 *  - redirects (3xx) are not followed: every status but 101 ends the
 *    handshake with BMQTT_ERR_WS_HTTP_STATUS, bmqtt_ws_http_status() gives
 *    the code, and the application decides where to connect instead;
 *  - header lines end in CRLF; a folded line (obs-fold), a bare CR or LF,
 *    or a line without a colon is a malformed response;
 *  - the reason text of a close frame is ignored (only its code is kept).
 *
 * **Frames.** MQTT bytes go out in binary frames [MQTT-6.0.0-1], each one
 * masked with a fresh 32-bit key from the random source, its length in
 * the fewest bytes. Masking happens in the caller's @c tx_buf, a chunk at a
 * time: the bytes handed to send are never modified, and a 1 MiB payload
 * needs no 1 MiB buffer. A frame header is written once per frame; send
 * reports only bytes that are already masked into the current frame, so a
 * lower transport that takes part of a write, or none, never splits the
 * frame stream (the rest leaves with the next send or recv call).
 *
 * On receive, frame boundaries mean nothing to MQTT [MQTT-6.0.0-2]: the
 * payloads of binary frames, fragmented or not, are one byte stream handed
 * to recv (read straight into the caller's buffer when nothing is read
 * ahead). A ping is answered with a pong that echoes its payload (after the
 * frame being sent, if one is); a pong is ignored; control frames may come
 * between the fragments of a message. A close frame is answered with a
 * close frame echoing its code and ends the connection with
 * BMQTT_ERR_WS_CLOSED (bmqtt_ws_close_code() gives the code). Everything
 * else a client must not accept ends the connection with its own status,
 * after a close frame (1002 protocol error, 1003 for a text frame, 1009
 * for a frame over bmqtt_ws_config_t::max_frame, whose payload is not read).
 *
 * **Statuses.** Handshake: BMQTT_ERR_WS_HTTP_STATUS .. BMQTT_ERR_WS_EXTENSION
 * (BMQTT_WS_IS_HANDSHAKE_ERROR()); frames: BMQTT_ERR_WS_TEXT ..
 * BMQTT_ERR_WS_TOO_BIG (BMQTT_WS_IS_FRAME_ERROR()); BMQTT_ERR_WS_CLOSED,
 * BMQTT_ERR_WS_TRUNCATED (the stream ended inside a frame, a fragmented
 * message or the HTTP response). The end of the lower stream between whole
 * messages without a close frame is BMQTT_ERR_CLOSED (close code 1006).
 * Statuses of the lower transport (BMQTT_ERR_TLS_UNTRUSTED...) pass up
 * unchanged. Every error is sticky: later calls return it again. No byte is
 * sent after a failed handshake: there is no WebSocket connection to close.
 *
 * **Memory.** RAM = sizeof(bmqtt_ws_t) + @c tx_size + @c rx_size. @c rx_buf
 * holds the request while it is sent, then the server's answer (so it must
 * hold the larger of the two: 512 bytes is plenty for mosquitto and
 * RabbitMQ), then bytes read ahead. @c tx_buf takes frame headers and masked
 * bytes: at least BMQTT_WS_TX_MIN, and the larger, the fewer lower writes.
 *
 * @code
 * static uint8_t ws_tx[512], ws_rx[512];
 * bmqtt_ws_config_t wcfg = {0};
 * wcfg.host = "broker.example.com";
 * wcfg.path = "/mqtt";
 * wcfg.tx_buf = ws_tx; wcfg.tx_size = sizeof ws_tx;
 * wcfg.rx_buf = ws_rx; wcfg.rx_size = sizeof ws_rx;
 * wcfg.random = board_random;           // or mbedtls_ctr_drbg_random + &drbg
 * wcfg.crypto = &bmqtt_ws_crypto_mbedtls;
 *
 * bmqtt_ws_t ws;                        // static or long-lived
 * bmqtt_transport_t tr;
 * bmqtt_ws_init(&ws);
 * if (bmqtt_ws_setup(&ws, &wcfg, &tcp_or_tls) != BMQTT_OK) { ... }
 * bmqtt_ws_transport(&ws, &tr);
 * // connect the lower transport, then give &tr to the client.
 * // Reconnecting: reconnect the lower transport (and bmqtt_tls_reset()), then bmqtt_ws_reset(&ws).
 * @endcode
 */
#ifndef BMQTT_WS_H
#define BMQTT_WS_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/status.h"
#include "bmqtt/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Statuses of the WebSocket port (its range of bmqtt_status_t; bmqtt_status_str() names them). */
/** Handshake: the server answered with a status other than 101 (refused, redirect...); see bmqtt_ws_http_status(). */
#define BMQTT_ERR_WS_HTTP_STATUS ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 0))
/** Handshake: not an HTTP/1.1 response, a malformed line, or no `Upgrade: websocket` / `Connection: upgrade`. */
#define BMQTT_ERR_WS_BAD_RESPONSE ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 1))
/** Handshake: the response header does not fit in the receive buffer. */
#define BMQTT_ERR_WS_RESPONSE_TOO_LONG ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 2))
/** Handshake: `Sec-WebSocket-Accept` missing, repeated, or not base64(SHA-1(key + GUID)). */
#define BMQTT_ERR_WS_ACCEPT ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 3))
/** Handshake: the server did not select the `mqtt` subprotocol [MQTT-6.0.0-4]. */
#define BMQTT_ERR_WS_SUBPROTOCOL ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 4))
/** Handshake: the server named an extension, and none was offered. */
#define BMQTT_ERR_WS_EXTENSION ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 5))
/** The server sent a close frame (answered); bmqtt_ws_close_code() gives its code. */
#define BMQTT_ERR_WS_CLOSED ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 6))
/** Frame: a text frame; MQTT travels in binary frames only [MQTT-6.0.0-1] (close 1003 sent). */
#define BMQTT_ERR_WS_TEXT ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 7))
/** Frame: an RSV bit set, and no extension was negotiated (close 1002). */
#define BMQTT_ERR_WS_RSV ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 8))
/** Frame: a reserved opcode (3-7, 11-15) (close 1002). */
#define BMQTT_ERR_WS_OPCODE ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 9))
/** Frame: a masked frame from the server (RFC 6455 section 5.1) (close 1002). */
#define BMQTT_ERR_WS_MASKED ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 10))
/** Frame: a control frame over 125 bytes or fragmented, a 1-byte close payload, or an invalid close code (close 1002). */
#define BMQTT_ERR_WS_CONTROL ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 11))
/** Frame: a 64-bit length with its top bit set, or a length not in the fewest bytes (close 1002). */
#define BMQTT_ERR_WS_LENGTH ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 12))
/** Frame: a continuation frame with no message to continue, or a new message inside a fragmented one (close 1002). */
#define BMQTT_ERR_WS_FRAGMENT ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 13))
/** Frame: a payload longer than bmqtt_ws_config_t::max_frame (close 1009; the payload is not read). */
#define BMQTT_ERR_WS_TOO_BIG ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 14))
/** The lower stream ended inside a frame, a fragmented message, or the HTTP response. */
#define BMQTT_ERR_WS_TRUNCATED ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 15))
/** The random source failed (handshake key or masking key). */
#define BMQTT_ERR_WS_RANDOM ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 16))
/** The SHA-1 or base64 hook failed. */
#define BMQTT_ERR_WS_CRYPTO ((bmqtt_status_t)(BMQTT_STATUS_WS_BASE - 17))

/** @brief Non-zero when @p s says the opening handshake was refused or malformed. */
#define BMQTT_WS_IS_HANDSHAKE_ERROR(s) ((s) <= BMQTT_ERR_WS_HTTP_STATUS && (s) >= BMQTT_ERR_WS_EXTENSION)
/** @brief Non-zero when @p s says the server broke the framing rules (a close frame was sent for it). */
#define BMQTT_WS_IS_FRAME_ERROR(s) ((s) <= BMQTT_ERR_WS_TEXT && (s) >= BMQTT_ERR_WS_TOO_BIG)

/** Smallest @c tx_size: a whole control frame (2 + 4 + 125 bytes) is built in one piece. */
#define BMQTT_WS_TX_MIN 131u
/** Largest control frame payload (RFC 6455 section 5.5). */
#define BMQTT_WS_CONTROL_MAX 125u
/** Default bmqtt_ws_config_t::max_frame: the largest MQTT packet (1 + 4 + 268,435,455 bytes). */
#define BMQTT_WS_MAX_FRAME_DEFAULT 268435460u

/**
 * @brief Random source: fill @p out with @p len unpredictable bytes; 0 on success.
 *
 * Used for the 16-byte handshake key and a 4-byte masking key per frame
 * (RFC 6455 section 10.3: they must not be predictable). A hardware TRNG, or
 * mbedTLS's mbedtls_ctr_drbg_random with its context (the same shape).
 */
typedef int (*bmqtt_ws_random_fn)(void *ctx, unsigned char *out, size_t len);

/**
 * SHA-1 and base64, which the handshake needs. bmqtt_ws_crypto_mbedtls
 * (port/websocket/bmqtt_ws_mbedtls.c) takes them from mbedTLS; a firmware
 * without mbedTLS fills this with its own (a crypto accelerator's SHA-1...).
 */
typedef struct bmqtt_ws_crypto {
    /** SHA-1 of @p in[0..len) into @p out; 0 on success. */
    int (*sha1)(const unsigned char *in, size_t len, unsigned char out[20]);
    /** Base64 (RFC 4648, padded) of @p src[0..slen) into @p dst with a
     *  terminating NUL, its length without the NUL in @p *olen; 0 on
     *  success, non-zero when @p dlen is too small (mbedtls_base64_encode's shape). */
    int (*base64)(unsigned char *dst, size_t dlen, size_t *olen, const unsigned char *src, size_t slen);
} bmqtt_ws_crypto_t;

/** SHA-1 and base64 from mbedTLS 2.28 or 3.x (link port/websocket/bmqtt_ws_mbedtls.c and libmbedcrypto). */
extern const bmqtt_ws_crypto_t bmqtt_ws_crypto_mbedtls;

/**
 * What to ask for, and the buffers. Zero it, then set what you need; it is
 * read, not copied: it and every pointer in it must outlive the bmqtt_ws_t.
 */
typedef struct bmqtt_ws_config {
    /** Host name for the `Host` header (no port); an IPv6 literal gets its brackets. Required. */
    const char *host;
    /** Port for the `Host` header; 0: none (the scheme's default port, 80 or 443). */
    uint16_t port;
    /** Request target, e.g. "/mqtt" (mosquitto takes any, RabbitMQ "/ws"); NULL: "/". */
    const char *path;
    /** Extra request header lines, each ending in "\r\n", e.g.
     *  "Origin: https://example.com\r\nAuthorization: Bearer abc\r\n"; NULL: none. */
    const char *extra_headers;
    uint8_t *tx_buf;  /**< Frame headers and masked bytes are built here (see Memory). */
    size_t tx_size;   /**< At least BMQTT_WS_TX_MIN. */
    uint8_t *rx_buf;  /**< Request, response, then read-ahead (see Memory). */
    size_t rx_size;   /**< At least the request's length (bmqtt_ws_setup() checks). */
    /** Largest frame payload accepted from the server; 0: BMQTT_WS_MAX_FRAME_DEFAULT. */
    uint32_t max_frame;
    /** Largest frame payload sent; 0: one frame per send call (as long as the call). */
    uint32_t max_send_frame;
    /** 1: accept a 101 that names no subprotocol (see Policy choices). */
    uint8_t allow_no_subprotocol;
    bmqtt_ws_random_fn random; /**< Required. */
    void *random_ctx;          /**< Passed to @c random. */
    const bmqtt_ws_crypto_t *crypto; /**< Required: &bmqtt_ws_crypto_mbedtls, or your own. */
} bmqtt_ws_config_t;

/** One WebSocket connection. Owned by the caller; treat the fields as private. */
typedef struct bmqtt_ws {
    bmqtt_transport_t lower;        /**< The transport below (a copy). */
    const bmqtt_ws_config_t *cfg;   /**< The caller's configuration. */
    uint32_t req_len;               /**< Handshake request in rx_buf: its length. */
    uint32_t req_off;               /**< Bytes of the request sent. */
    uint32_t rx_len;                /**< Bytes in rx_buf. */
    uint32_t rx_pos;                /**< Where the unparsed ones start. */
    uint32_t scanned;               /**< Response bytes searched for the blank line. */
    uint32_t stg_len;               /**< Bytes in tx_buf. */
    uint32_t stg_off;               /**< How many of them went out. */
    uint32_t tx_left;               /**< Payload bytes the current outgoing frame still needs. */
    uint32_t rx_left;               /**< Payload bytes of the incoming frame not yet read. */
    int32_t status;                 /**< Sticky error, 0: none. */
    uint16_t http_status;           /**< Status code of the server's answer, 0: none yet. */
    uint16_t close_code;            /**< Close code from the server (1005: none given, 1006: no close frame). */
    uint8_t state;                  /**< Internal. */
    uint8_t mask[4];                /**< Masking key of the outgoing frame. */
    uint8_t mask_pos;               /**< Payload bytes masked so far, modulo 4. */
    uint8_t hdr[10];                /**< Incoming frame header (without a mask: servers send none). */
    uint8_t hdr_len;                /**< Header bytes held. */
    uint8_t hdr_need;               /**< How many the header has. */
    uint8_t rx_op;                  /**< Opcode of the incoming frame. */
    uint8_t rx_fin;                 /**< FIN bit of the incoming frame. */
    uint8_t rx_state;               /**< Internal: header, data or control payload. */
    uint8_t in_message;             /**< 1: a fragmented message awaits its continuation. */
    uint8_t ctrl_rx_len;            /**< Control payload bytes held. */
    uint8_t ctrl_tx_op;             /**< Control frame waiting to go out (0: none). */
    uint8_t ctrl_tx_len;            /**< Its payload length. */
    uint8_t close_sent;             /**< 1: a close frame has been built. */
    uint8_t opened;                 /**< 1: the handshake succeeded. */
    char accept[28];                /**< The Sec-WebSocket-Accept the server must send. */
    uint8_t ctrl_rx[BMQTT_WS_CONTROL_MAX]; /**< Incoming ping/close payload. */
    uint8_t ctrl_tx[BMQTT_WS_CONTROL_MAX]; /**< Outgoing pong/close payload. */
} bmqtt_ws_t;

/** @brief Zero @p ws and register the port's status names. Never fails, never allocates. */
void bmqtt_ws_init(bmqtt_ws_t *ws);

/**
 * @brief Check @p cfg and prepare a WebSocket client over @p lower.
 *
 * The lower transport need not be connected yet; the handshake starts with
 * the first send or recv. The random source is first called then (not here).
 *
 * @param[in,out] ws    initialised with bmqtt_ws_init().
 * @param[in]     cfg   the configuration; read, not copied (see bmqtt_ws_config_t).
 * @param[in]     lower the transport to wrap; copied, its ctx must outlive @p ws.
 * @return BMQTT_OK; BMQTT_ERR_PARAM (a NULL argument, no host, random or
 *         crypto hook, a host or path with a space or control character, a
 *         path not starting with '/', extra headers that are not whole
 *         CRLF-terminated lines, @c tx_size under BMQTT_WS_TX_MIN);
 *         BMQTT_ERR_BUFFER_TOO_SMALL (the request does not fit in @c rx_buf).
 */
bmqtt_status_t bmqtt_ws_setup(bmqtt_ws_t *ws, const bmqtt_ws_config_t *cfg, const bmqtt_transport_t *lower);

/**
 * @brief Fill @p t with this port's functions and @p ws as their context.
 * @param[in]  ws set up with bmqtt_ws_setup(); must outlive every use of @p t.
 * @param[out] t  the transport to hand to the client.
 */
void bmqtt_ws_transport(bmqtt_ws_t *ws, bmqtt_transport_t *t);

/**
 * @brief Advance the opening handshake as far as the lower transport allows.
 * @return BMQTT_OK once the server's answer has been accepted (also on every
 *         later call); BMQTT_WOULD_BLOCK while it needs more traffic;
 *         otherwise the failure (see Statuses).
 */
bmqtt_status_t bmqtt_ws_handshake(bmqtt_ws_t *ws);

/**
 * @brief Transport send: frame, mask and send up to @p len bytes.
 *
 * During the handshake it advances the handshake and returns
 * BMQTT_WOULD_BLOCK. Bytes reported as sent are masked into a frame in
 * @c tx_buf; those the lower transport has not taken yet go out first on
 * the next send or recv (bmqtt_ws_tx_pending() says so).
 *
 * @param ctx a bmqtt_ws_t *.
 * @return bytes taken (> 0), BMQTT_WOULD_BLOCK, or an error.
 */
int32_t bmqtt_ws_send(void *ctx, const uint8_t *buf, size_t len);

/**
 * @brief Transport recv: up to @p len MQTT bytes from the payloads of binary frames.
 * @param ctx a bmqtt_ws_t *.
 * @return bytes read (> 0), BMQTT_WOULD_BLOCK, or an error (see Statuses).
 */
int32_t bmqtt_ws_recv(void *ctx, uint8_t *buf, size_t len);

/**
 * @brief Transport close: when the connection is open, send a close frame
 *        (1000, or the answer still owed), one attempt without waiting,
 *        then close the lower transport. Safe to call twice.
 * @param ctx a bmqtt_ws_t *.
 */
void bmqtt_ws_close(void *ctx);

/**
 * @brief Get ready for a new connection over the (reconnected) lower
 *        transport with the same configuration: a new key, a new handshake.
 * @return BMQTT_OK, or BMQTT_ERR_PARAM when @p ws was never set up.
 */
bmqtt_status_t bmqtt_ws_reset(bmqtt_ws_t *ws);

/** @brief 1 once the opening handshake has succeeded (and stays 1 after a later error); 0 otherwise. */
int bmqtt_ws_is_open(const bmqtt_ws_t *ws);

/**
 * @brief Non-zero when bmqtt_ws_recv() can make progress without new bytes
 *        from the lower transport (bytes read ahead). A host that sleeps in
 *        select()/poll() must call recv first while this is non-zero.
 */
int bmqtt_ws_pending(const bmqtt_ws_t *ws);

/** @brief Non-zero while masked bytes in @c tx_buf wait for the lower transport (wait for writable). */
int bmqtt_ws_tx_pending(const bmqtt_ws_t *ws);

/** @brief The status code of the server's HTTP answer (101, 301, 404...), 0 before it arrived. */
uint16_t bmqtt_ws_http_status(const bmqtt_ws_t *ws);

/**
 * @brief The close code the server sent (1000, 1001...), 1005 for a close
 *        frame without one, 1006 when the stream ended without a close
 *        frame; 0 while none of these happened.
 */
uint16_t bmqtt_ws_close_code(const bmqtt_ws_t *ws);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_WS_H */
