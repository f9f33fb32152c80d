/* Names of bmqtt_rule_t, in a file of their own: a firmware that never prints
 * them links none of these strings. */
#include "bmqtt/client.h"

const char *bmqtt_client_rule_str(unsigned rule)
{
    switch (rule) {
    case BMQTT_RULE_NONE: return "none";
    case BMQTT_RULE_CONNACK_FIRST: return "MQTT-3.2.0-1: the first packet from the server must be CONNACK";
    case BMQTT_RULE_CONNACK_TWICE: return "MQTT-4.8.0-1: a second CONNACK";
    case BMQTT_RULE_SESSION_PRESENT: return "MQTT-3.2.2-1: session present after clean session";
    case BMQTT_RULE_REFUSED: return "MQTT-3.2.2-5: connection refused by the server";
    case BMQTT_RULE_ACK_UNKNOWN: return "MQTT-4.3.2-2: PUBACK for no QoS 1 PUBLISH in flight";
    case BMQTT_RULE_PUBREC_UNKNOWN: return "MQTT-4.3.3-1: PUBREC for no QoS 2 PUBLISH in flight";
    case BMQTT_RULE_PUBCOMP_UNKNOWN: return "MQTT-4.3.3-2: PUBCOMP for no PUBREL sent";
    case BMQTT_RULE_SUBACK_UNKNOWN: return "MQTT-3.8.4-5: SUBACK for no pending SUBSCRIBE or with another code count";
    case BMQTT_RULE_UNSUBACK_UNKNOWN: return "MQTT-3.10.4-4: UNSUBACK for no pending UNSUBSCRIBE";
    case BMQTT_RULE_MALFORMED: return "MQTT-4.8.0-1: malformed packet";
    case BMQTT_RULE_TOO_LARGE: return "packet larger than the receive buffer";
    case BMQTT_RULE_QOS2_FULL: return "incoming QoS 2 table full";
    case BMQTT_RULE_NO_CONNACK: return "no CONNACK in time";
    case BMQTT_RULE_NO_PINGRESP: return "no PINGRESP in time";
    case BMQTT_RULE_NO_ANSWER: return "no SUBACK or UNSUBACK in time";
    case BMQTT_RULE_STALLED: return "the transport took no bytes in time";
    case BMQTT_RULE_ACKS_MISSING: return "acks still missing at disconnect";
    case BMQTT_RULE_TRANSPORT: return "transport failed or closed";
    case BMQTT_RULE_OVERRUN: return "transport returned more bytes than asked";
    case BMQTT_RULE_CHANGED: return "message memory changed before its resend";
    default: return "unknown rule";
    }
}
