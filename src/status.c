/* Names for bmqtt_status_t values. A switch (not a table indexed by the
 * negated value) keeps unknown values safe and lets the compiler warn when an
 * enum value has no name. */
#include "bmqtt/status.h"

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
    case BMQTT_ERR_TRANSPORT: return "transport error";
    case BMQTT_ERR_CLOSED: return "connection closed by peer";
    case BMQTT_ERR_DNS: return "name resolution failed";
    case BMQTT_ERR_CONNECT: return "connection failed";
    case BMQTT_ERR_TLS_HANDSHAKE: return "TLS handshake failed";
    case BMQTT_ERR_TLS_UNTRUSTED: return "TLS certificate not trusted";
    case BMQTT_ERR_TLS_NAME: return "TLS certificate name mismatch";
    case BMQTT_ERR_TLS_EXPIRED: return "TLS certificate expired or not yet valid";
    case BMQTT_ERR_TLS_ALLOC: return "TLS memory pool exhausted";
    case BMQTT_ERR_CLOUD_KEEPALIVE: return "cloud: keepalive out of range";
    case BMQTT_ERR_CLOUD_QOS: return "cloud: QoS not supported";
    case BMQTT_ERR_CLOUD_WILL: return "cloud: will not supported";
    case BMQTT_ERR_CLOUD_RETAIN: return "cloud: retain not supported";
    case BMQTT_ERR_CLOUD_FIELD: return "cloud: credential field too long or invalid";
    case BMQTT_ERR_CLOUD_CRYPTO: return "cloud: hash unavailable, bad key or crypto failure";
    case BMQTT_ERR_CLOUD_REPLY: return "cloud: unexpected reply";
    case BMQTT_STATUS_FORCE_INT: break; /* not a status */
    }
    return "unknown status";
}
