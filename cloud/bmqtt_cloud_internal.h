/* Internal to the cloud-credential layer (cloud/bmqtt_*.c): a
 * small output writer that counts, writes or feeds an HMAC, and the hex,
 * decimal, URL and base64 forms the clouds need. Not a public header. */
#ifndef BMQTT_CLOUD_INTERNAL_H
#define BMQTT_CLOUD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/cloud.h"
#include "bmqtt/codec.h"
#include "bmqtt/status.h"

/* Largest digest (SHA-256) and the largest base64-decoded key accepted. */
#define BMQTT_CLOUD_DIGEST_MAX 32u
#define BMQTT_CLOUD_KEY_MAX 128u

/* Where emitted bytes go: counted only (buf NULL, md NULL), written to buf
 * (the caller made sure they fit), or hashed (md set). */
typedef struct bmqtt_cw {
    char *buf;
    size_t cap; /* bytes of buf; never written past, even by a faulty emitter */
    size_t n;   /* bytes emitted so far */
    void *md;   /* mbedtls_md_context_t * while a hash is being fed */
    int plain;  /* with md: a plain hash, not an HMAC */
    int err;    /* first mbedTLS error while hashing */
} bmqtt_cw_t;

typedef void (*bmqtt_cloud_emit_fn)(bmqtt_cw_t *w, const void *arg);

void bmqtt_cw_put(bmqtt_cw_t *w, const void *p, size_t len);
void bmqtt_cw_str(bmqtt_cw_t *w, const char *s);
void bmqtt_cw_view(bmqtt_cw_t *w, bmqtt_view_t v);
void bmqtt_cw_nul(bmqtt_cw_t *w);
void bmqtt_cw_u64(bmqtt_cw_t *w, uint64_t v);
void bmqtt_cw_hex(bmqtt_cw_t *w, const uint8_t *p, size_t len);
/* Percent-encoding of everything but A-Z a-z 0-9 - _ . ~ (RFC 3986 unreserved), uppercase hex. */
void bmqtt_cw_url(bmqtt_cw_t *w, const uint8_t *p, size_t len);
/* base64 of p (at most BMQTT_CLOUD_DIGEST_MAX bytes), URL-encoded when url != 0. */
void bmqtt_cw_b64(bmqtt_cw_t *w, const uint8_t *p, size_t len, int url);

/* 1 when v is 1..max bytes, none of them NUL, a control character or one of
 * the bytes in forbid (may be NULL). */
int bmqtt_cloud_field_ok(bmqtt_view_t v, size_t max, const char *forbid);
/* BMQTT_OK, BMQTT_ERR_PARAM (empty or absent) or BMQTT_ERR_CLOUD_FIELD (too long or forbidden byte). */
bmqtt_status_t bmqtt_cloud_field(bmqtt_view_t v, size_t max, const char *forbid);

/* HMAC with hash 0 SHA-256, 1 SHA-1, 2 MD5 (the public enums share these
 * values) over the bytes emit() produces. out holds BMQTT_CLOUD_DIGEST_MAX. */
bmqtt_status_t bmqtt_cloud_hmac(unsigned hash, const uint8_t *key, size_t key_len, bmqtt_cloud_emit_fn emit,
                                const void *arg, uint8_t *out, size_t *out_len);
/* A plain hash (Baidu's MD5) over the bytes emit() produces. */
bmqtt_status_t bmqtt_cloud_hash(unsigned hash, bmqtt_cloud_emit_fn emit, const void *arg, uint8_t *out,
                                size_t *out_len);
/* Decode a base64 key into key[BMQTT_CLOUD_KEY_MAX]: BMQTT_ERR_PARAM (empty),
 * BMQTT_ERR_CLOUD_FIELD (too long), BMQTT_ERR_CLOUD_CRYPTO (not base64). */
bmqtt_status_t bmqtt_cloud_b64_key(bmqtt_view_t b64, uint8_t *key, size_t *key_len);
/* Makes bmqtt_status_str() name the cloud statuses; every public function
 * of the layer calls it first (one compare once registered). */
void bmqtt_cloud_names(void);
/* Wipe key material (not optimised away). */
void bmqtt_cloud_wipe(void *p, size_t len);

/* Size-first output of one NUL-terminated string: *len (if not NULL) gets
 * its length without the NUL; buf must hold *len + 1. */
bmqtt_status_t bmqtt_cloud_string(bmqtt_cloud_emit_fn emit, const void *arg, char *buf, size_t cap, size_t *len);
/* Size-first output of client id, user name and password, each followed by
 * a NUL; *len (if not NULL) gets the bytes used or needed, NULs included;
 * out's three views point into buf on success. */
bmqtt_status_t bmqtt_cloud_creds(bmqtt_cloud_emit_fn emit, const void *arg, char *buf, size_t cap, size_t *len,
                                 bmqtt_connect_t *out);

#endif /* BMQTT_CLOUD_INTERNAL_H */
