/*
 * bmqtt-cli's TLS options, as mosquitto_pub/_sub's: --cafile, --capath,
 * --tls-use-os-certs, --insecure (no host-name check; the chain is still
 * verified), --tls-version, --ciphers, --cert/--key, --alpn; and the session a
 * later connection resumes.
 */
#ifndef CLI_TLS_H
#define CLI_TLS_H

#include <stdio.h>

#include "bmqtt_tls.h"
#include "cli_args.h"

/* Where --tls-use-os-certs reads the system's CA bundle when SSL_CERT_FILE
 * (OpenSSL's variable, which mosquitto honours too) does not say otherwise. */
#define CLI_TLS_OS_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* Fill *tc from the command line: every trusted CA (--cafile, each
 * certificate file of --capath, the system bundle) in one PEM buffer, client
 * certificate and key, ALPN, version and cipher suites. Exits with
 * CLI_EXIT_ERROR and a message on a file that cannot be read or a bad value. */
void cli_tls_config(const cli_args_t *a, bmqtt_tls_config_t *tc);

/* The IANA number of a cipher suite named as OpenSSL (ECDHE-ECDSA-AES128-GCM-SHA256),
 * IANA (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) or mbedTLS (TLS-ECDHE-...) names
 * it; 0 when this mbedTLS does not know it. */
int cli_tls_suite(const char *name);

/* The -d line for a connection whose TLS handshake is over: "TLS 1.2 resumed",
 * "TLS 1.3 full handshake (resumption refused)"... on @p out. */
void cli_tls_trace(FILE *out, const bmqtt_tls_t *tls);

/* A TLS session kept in a file between runs (bmqtt_tls_session_save() bytes):
 * load offers it to @p tls (a refusal is said on @p log, never fatal); save
 * writes the session @p tls holds now, if any. */
void cli_tls_session_load(bmqtt_tls_t *tls, const char *path, FILE *log);
void cli_tls_session_save(bmqtt_tls_t *tls, const char *path);

#endif /* CLI_TLS_H */
