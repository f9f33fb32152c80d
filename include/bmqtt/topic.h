/**
 * @file topic.h
 * @brief UTF-8 strings, topic names and topic filters (MQTT 3.1.1 sections 1.5.3, 4.7).
 *
 * Pure functions over caller bytes; no state, no allocation. The codec calls
 * them on every string it encodes or decodes; they are public so an
 * application can check its own topics and route messages.
 */
#ifndef BMQTT_TOPIC_H
#define BMQTT_TOPIC_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Check an MQTT UTF-8 string.
 *
 * Accepts well-formed UTF-8 per RFC 3629: no overlong form, no surrogate
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence; and no
 * U+0000 [MQTT-1.5.3-1], [MQTT-1.5.3-2]. Control characters and
 * non-characters are accepted: 3.1.1 says only SHOULD NOT for them.
 * Pure ASCII runs take a word-at-a-time fast path.
 *
 * @return BMQTT_OK or BMQTT_ERR_BAD_UTF8.
 */
bmqtt_status_t bmqtt_utf8_check(const uint8_t *s, size_t len);

/**
 * @brief Check a topic name (what PUBLISH carries): valid UTF-8, at least one
 *        byte [MQTT-4.7.3-1], no '+' or '#' [MQTT-3.3.2-2], at most 65,535 bytes.
 *        (Encoders report an over-long topic as BMQTT_ERR_TOO_LONG before calling this.)
 * @return BMQTT_OK, BMQTT_ERR_BAD_UTF8 or BMQTT_ERR_BAD_TOPIC.
 */
bmqtt_status_t bmqtt_topic_name_check(const uint8_t *s, size_t len);

/**
 * @brief Check a topic filter (what SUBSCRIBE/UNSUBSCRIBE carry): valid UTF-8,
 *        one to 65,535 bytes, '+' only as a whole level [MQTT-4.7.1-3], '#'
 *        only as the whole last level [MQTT-4.7.1-2].
 * @return BMQTT_OK, BMQTT_ERR_BAD_UTF8 or BMQTT_ERR_BAD_FILTER.
 */
bmqtt_status_t bmqtt_topic_filter_check(const uint8_t *s, size_t len);

/**
 * @brief Does topic name @p topic match topic filter @p filter?
 *
 * '+' matches one whole level, '#' the parent level and any number below.
 * Filters starting with a wildcard do not match topics starting with '$'
 * [MQTT-4.7.2-1]. Inputs are assumed valid (see the checks above).
 *
 * @return 1 on a match, 0 otherwise.
 */
int bmqtt_topic_match(const uint8_t *filter, size_t filter_len, const uint8_t *topic, size_t topic_len);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_TOPIC_H */
