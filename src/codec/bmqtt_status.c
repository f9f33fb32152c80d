/* Names for the core's bmqtt_status_t values; other layers register theirs.
 * A switch (not a table indexed by the negated value) keeps unknown values
 * safe and lets the compiler warn when an enum value has no name. */
#include <stddef.h>

#include "bmqtt/status.h"

/* Layers above the core name their own ranges (bmqtt_status_register). */
static bmqtt_status_names_t *registered;

const char *bmqtt_status_str(bmqtt_status_t status)
{
    switch (status) {
    case BMQTT_OK: return "ok";
    case BMQTT_NEED_MORE: return "need more bytes";
    case BMQTT_WOULD_BLOCK: return "would block";
    case BMQTT_ERR_PARAM: return "bad parameter";
    case BMQTT_ERR_BUFFER_TOO_SMALL: return "buffer too small";
    case BMQTT_ERR_TOO_LONG: return "string or packet too long";
    case BMQTT_ERR_BAD_TYPE: return "malformed: packet type";
    case BMQTT_ERR_BAD_FLAGS: return "malformed: reserved flags";
    case BMQTT_ERR_BAD_VARINT: return "malformed: remaining length";
    case BMQTT_ERR_BAD_LENGTH: return "malformed: length overrun or trailing bytes";
    case BMQTT_ERR_BAD_QOS: return "malformed: QoS";
    case BMQTT_ERR_BAD_PACKET_ID: return "malformed: packet id 0";
    case BMQTT_ERR_BAD_UTF8: return "malformed: UTF-8";
    case BMQTT_ERR_BAD_TOPIC: return "malformed: topic name";
    case BMQTT_ERR_BAD_FILTER: return "malformed: topic filter";
    case BMQTT_ERR_EMPTY_LIST: return "malformed: empty topic or code list";
    case BMQTT_ERR_BAD_RETURN_CODE: return "malformed: return code";
    case BMQTT_ERR_BAD_PROTOCOL: return "malformed: protocol name";
    case BMQTT_ERR_BAD_VERSION: return "unsupported protocol level";
    case BMQTT_ERR_BAD_CONNECT_FLAGS: return "malformed: connect flags";
    case BMQTT_ERR_BAD_CLIENT_ID: return "bad client id";
    case BMQTT_ERR_PROTOCOL: return "protocol violation";
    case BMQTT_ERR_PACKET_TOO_LARGE: return "packet too large";
    case BMQTT_ERR_REFUSED_VERSION: return "refused: protocol version";
    case BMQTT_ERR_REFUSED_IDENTIFIER: return "refused: identifier rejected";
    case BMQTT_ERR_REFUSED_UNAVAILABLE: return "refused: server unavailable";
    case BMQTT_ERR_REFUSED_CREDENTIALS: return "refused: bad user name or password";
    case BMQTT_ERR_REFUSED_NOT_AUTHORIZED: return "refused: not authorized";
    case BMQTT_ERR_NOT_CONNECTED: return "not connected";
    case BMQTT_ERR_BUSY: return "busy";
    case BMQTT_ERR_INFLIGHT_FULL: return "in-flight table full";
    case BMQTT_ERR_TIMEOUT: return "timeout";
    case BMQTT_ERR_KEEPALIVE: return "keepalive timeout";
    case BMQTT_ERR_SESSION_ENDED: return "dropped: clean session ended";
    case BMQTT_ERR_CHANGED: return "dropped: message memory changed before resend";
    case BMQTT_ERR_OUTBOX_TOO_SMALL: return "message larger than the whole outbox";
    case BMQTT_ERR_TRANSPORT: return "transport error";
    case BMQTT_ERR_CLOSED: return "connection closed by peer";
    case BMQTT_ERR_DNS: return "name resolution failed";
    case BMQTT_ERR_CONNECT: return "connection failed";
    case BMQTT_STATUS_TLS_BASE: /* the range bases are layers' codes: see below */
    case BMQTT_STATUS_CLOUD_BASE:
    case BMQTT_STATUS_WS_BASE:
    case BMQTT_STATUS_AT_BASE:
    case BMQTT_STATUS_PORT_BASE:
    case BMQTT_STATUS_MQTT5_BASE:
    case BMQTT_STATUS_PERSIST_BASE:
    case BMQTT_STATUS_USER_BASE:
        break;
    case BMQTT_STATUS_FORCE_INT: break; /* not a status */
    }
    for (const bmqtt_status_names_t *n = registered; n != NULL; n = n->next) {
        if ((int)status <= n->first && (int)status >= n->last) {
            const char *name = n->name ? n->name((int)status) : NULL;
            return name ? name : n->layer ? n->layer : "unknown status";
        }
    }
    return "unknown status";
}

void bmqtt_status_register(bmqtt_status_names_t *names)
{
    if (names == NULL || names->first > BMQTT_STATUS_TLS_BASE) return; /* never the core's range */
    for (const bmqtt_status_names_t *n = registered; n != NULL; n = n->next) {
        if (n == names) return;
    }
    names->next = registered;
    registered = names;
}
