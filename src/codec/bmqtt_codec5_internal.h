/* What the MQTT 5.0 codec's sources share. Not part of the public API. */
#ifndef BMQTT_CODEC5_INTERNAL_H
#define BMQTT_CODEC5_INTERNAL_H

#include "bmqtt/mqtt5.h"
#include "bmqtt_codec_internal.h"

/* Where a property set sits, as a bit index: the packet type (1..15), or 0 for
 * a will's properties. */
#define BMQTT5_IN_WILL 0u

/* What the properties of one set said so far: the identifiers seen (for
 * duplicates) and the facts the packet's own rules need afterwards. */
typedef struct {
    uint32_t seen[2];     /* bit id of identifiers 0..63 */
    uint8_t where;        /* BMQTT5_IN_WILL or a packet type */
    uint8_t from;         /* bmqtt5_from_t */
    uint8_t payload_utf8; /* a Payload Format Indicator of 1 */
} bmqtt5_pcheck_t;

/* Check one property against the rules of its set (allowed here, given twice,
 * its value, the side that sent it). String contents are the caller's. */
bmqtt_status_t bmqtt5_prop_rule(bmqtt5_pcheck_t *c, const bmqtt5_prop_t *p);

/* The rules on a whole set once every property passed (Authentication Data
 * needs an Authentication Method). */
bmqtt_status_t bmqtt5_props_end(const bmqtt5_pcheck_t *c);

/* Decode a Property Length and its properties at *pp (before end), checking
 * every one; out->raw is the property bytes, *pp moves past them. */
bmqtt_status_t bmqtt5_props_decode(const uint8_t **pp, const uint8_t *end, bmqtt5_pcheck_t *c,
                                   bmqtt5_props_t *out);

/* Check an encoder's property set and give its size on the wire, its Property
 * Length included (*size) and the Property Length alone (*plen). Strings are
 * checked by bmqtt5_props_write(). */
bmqtt_status_t bmqtt5_props_size(const bmqtt5_props_t *props, bmqtt5_pcheck_t *c, size_t *size, size_t *plen);

/* Write the Property Length @p plen and the properties at *pp (or, *pp NULL,
 * only check their strings); *pp moves past them. */
bmqtt_status_t bmqtt5_props_write(uint8_t **pp, const bmqtt5_props_t *props, size_t plen);

/* Is @p code a reason code of packet @p type (BMQTT_OK), of none (BMQTT5_ERR_REASON_CODE)
 * or only of the other side (BMQTT5_ERR_WRONG_SIDE)? */
bmqtt_status_t bmqtt5_reason_check(unsigned type, unsigned from, unsigned code);

/* A "$share/" filter's rules [MQTT-4.8.2-1/2] (1 when @p f is shared, 0 when not, in *shared). */
bmqtt_status_t bmqtt5_share_check(const uint8_t *f, size_t len, int *shared);

/* A status of the 5.0 range makes sure bmqtt_status_str() knows its name. */
bmqtt_status_t bmqtt5_status(bmqtt_status_t st);

#endif /* BMQTT_CODEC5_INTERNAL_H */
