/*
 * bmqtt mbedTLS port: what bmqtt_tls.c and bmqtt_tls_session.c share.
 * Internal to port/mbedtls; not part of the public API.
 */
#ifndef BMQTT_TLS_INTERNAL_H
#define BMQTT_TLS_INTERNAL_H

#include "bmqtt_tls.h"

enum {
    TLS_ST_NEW = 0,    /* initialised, not set up */
    TLS_ST_READY = 1,  /* set up: the handshake starts or goes on with the next call */
    TLS_ST_OPEN = 2,   /* handshake complete */
    TLS_ST_CLOSED = 3, /* closed by bmqtt_tls_close() */
    TLS_ST_BUSY = 4    /* handshake started, not over */
};

/* The hash a saved session is bound to: host name, CA bytes, verification mode. */
uint32_t bmqtt_tlsi_bind(const bmqtt_tls_config_t *cfg, size_t ca_len);

/* Take the connection's current session as the one to offer next (after a
 * TLS 1.2 handshake, or a TLS 1.3 ticket). Failures only mean "no session". */
void bmqtt_tlsi_keep(bmqtt_tls_t *tls);

/* Before a handshake: give the kept session to mbedTLS, unless resumption is off. */
void bmqtt_tlsi_offer_kept(bmqtt_tls_t *tls);

/* After a handshake: what it did about resumption. */
void bmqtt_tlsi_handshake_done(bmqtt_tls_t *tls);

#endif /* BMQTT_TLS_INTERNAL_H */
