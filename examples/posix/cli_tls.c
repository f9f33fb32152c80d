/*
 * bmqtt-cli's TLS options (cli_tls.h). The trust store is one PEM buffer made
 * of every CA the options name: mbedTLS parses each certificate in it and
 * keeps those that parse, so a bundle with a certificate it cannot read still
 * works (as OpenSSL's does).
 */
#include "cli_tls.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mbedtls/ssl.h"
#include "mbedtls/ssl_ciphersuites.h"

static _Noreturn void tls_die(const char *fmt, const char *what)
{
    fprintf(stderr, "bmqtt-cli: ");
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    exit(CLI_EXIT_ERROR);
}

/* A growing buffer of PEM text. */
typedef struct {
    char *p;
    size_t n, cap;
} pem_buf_t;

static void pem_add(pem_buf_t *b, const char *s, size_t n)
{
    if (b->p == NULL || b->n + n + 2 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 65536);
        while (cap < b->n + n + 2) cap *= 2;
        b->p = realloc(b->p, cap);
        if (b->p == NULL) tls_die("out of memory%s", "");
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n++] = '\n'; /* a file without a final newline must not glue two PEM blocks */
    b->p[b->n] = '\0';
}

/* The whole of a file, NUL-terminated; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    if (f == NULL) return NULL;
    do {
        if (n + 4096 + 1 > cap) {
            char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (nb == NULL) break;
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    if (buf == NULL || ferror(f)) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A PEM file's text; returns 0 when the file holds no PEM (a DER --cafile). */
static int add_ca_file(pem_buf_t *b, const char *path, int must)
{
    size_t n = 0;
    char *s = slurp(path, &n);
    int pem;
    if (s == NULL) {
        if (must) tls_die("cannot read %s", path);
        return 1;
    }
    pem = strstr(s, "-----BEGIN ") != NULL;
    if (pem) pem_add(b, s, n);
    free(s);
    return pem;
}

/* --capath: as OpenSSL's, a directory of certificates. mosquitto asks for
 * "*.crt" files and `openssl rehash`; take *.crt, *.pem and the hash names
 * (8 hex digits, '.', a number), each file once however many names it has. */
static int cert_name(const char *name)
{
    size_t n = strlen(name), i;
    if (n > 4 && (strcmp(name + n - 4, ".crt") == 0 || strcmp(name + n - 4, ".pem") == 0)) return 1;
    if (n < 10 || name[8] != '.') return 0;
    for (i = 0; i < 8; i++)
        if (!strchr("0123456789abcdef", name[i])) return 0;
    for (i = 9; i < n; i++)
        if (name[i] < '0' || name[i] > '9') return 0;
    return 1;
}

static void add_ca_dir(pem_buf_t *b, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct { dev_t dev; ino_t ino; } *seen = NULL;
    size_t nseen = 0, k, files = 0;
    char path[4096];
    if (d == NULL) tls_die("cannot open --capath %s", dir);
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (!cert_name(e->d_name)) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        for (k = 0; k < nseen && (seen[k].dev != st.st_dev || seen[k].ino != st.st_ino); k++) {
        }
        if (k < nseen) continue;
        seen = realloc(seen, (nseen + 1) * sizeof *seen);
        if (seen == NULL) tls_die("out of memory%s", "");
        seen[nseen].dev = st.st_dev;
        seen[nseen].ino = st.st_ino;
        nseen++;
        (void)add_ca_file(b, path, 0);
        files++;
    }
    closedir(d);
    free(seen);
    if (files == 0) tls_die("--capath %s: no certificate file (*.crt, *.pem or hash names)", dir);
}

/* A name as mbedTLS spells it (TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256). */
static int suite_by_mbedtls_name(const char *want)
{
    const int *ids;
    for (ids = mbedtls_ssl_list_ciphersuites(); *ids != 0; ids++) {
        const char *m = mbedtls_ssl_get_ciphersuite_name(*ids);
        if (m != NULL && strcmp(m, want) == 0) return *ids;
    }
    return 0;
}

int cli_tls_suite(const char *name)
{
    static const struct { const char *ossl, *mbed; } kx[] = {
        { "ECDHE-ECDSA-", "TLS-ECDHE-ECDSA-WITH-" }, { "ECDHE-RSA-", "TLS-ECDHE-RSA-WITH-" },
        { "DHE-RSA-", "TLS-DHE-RSA-WITH-" },         { "", "TLS-RSA-WITH-" },
    };
    static const struct { const char *ossl, *mbed; } bulk[] = {
        { "AES128-GCM-SHA256", "AES-128-GCM-SHA256" }, { "AES256-GCM-SHA384", "AES-256-GCM-SHA384" },
        { "AES128-SHA256", "AES-128-CBC-SHA256" },     { "AES256-SHA384", "AES-256-CBC-SHA384" },
        { "AES128-SHA", "AES-128-CBC-SHA" },           { "AES256-SHA", "AES-256-CBC-SHA" },
        { "CHACHA20-POLY1305", "CHACHA20-POLY1305-SHA256" }, { "AES128-CCM", "AES-128-CCM" },
        { "AES256-CCM", "AES-256-CCM" },
    };
    char want[160];
    size_t i, n = strlen(name);
    int id;
    if (n == 0 || n >= 100) return 0;
    /* IANA (TLS_...) and mbedTLS (TLS-...) names differ in '_' / '-'; TLS 1.3's
     * TLS_AES_128_GCM_SHA256 is mbedTLS's TLS1-3-AES-128-GCM-SHA256. */
    for (i = 0; i <= n; i++) want[i] = name[i] == '_' ? '-' : name[i];
    if ((id = suite_by_mbedtls_name(want)) != 0) return id;
    if (strncmp(want, "TLS-", 4) == 0) {
        snprintf(want, sizeof want, "TLS1-3-%s", name + 4);
        for (i = 0; want[i]; i++) if (want[i] == '_') want[i] = '-';
        return suite_by_mbedtls_name(want);
    }
    /* OpenSSL's names: ECDHE-ECDSA-AES128-GCM-SHA256 and the like. */
    for (i = 0; i < sizeof kx / sizeof kx[0]; i++) {
        size_t kl = strlen(kx[i].ossl), m;
        if (strncmp(name, kx[i].ossl, kl) != 0) continue;
        for (m = 0; m < sizeof bulk / sizeof bulk[0]; m++) {
            if (strcmp(name + kl, bulk[m].ossl) != 0) continue;
            snprintf(want, sizeof want, "%s%s", kx[i].mbed, bulk[m].mbed);
            if ((id = suite_by_mbedtls_name(want)) != 0) return id;
        }
    }
    return 0;
}

void cli_tls_config(const cli_args_t *a, bmqtt_tls_config_t *tc)
{
    static char alpn[128];
    static int suites[64];
    pem_buf_t ca = { NULL, 0, 0 };
    size_t n;
    int k = 0, der = 0;

    memset(tc, 0, sizeof *tc);
    /* mosquitto's --insecure: the chain is verified, only the name is not. */
    tc->no_name_check = (uint8_t)a->insecure;
    if (a->cafile) der = !add_ca_file(&ca, a->cafile, 1);
    if (a->capath) add_ca_dir(&ca, a->capath);
    if (a->os_certs) {
        const char *bundle = getenv("SSL_CERT_FILE");
        if (bundle == NULL || *bundle == '\0') bundle = CLI_TLS_OS_BUNDLE;
        if (!add_ca_file(&ca, bundle, 1)) tls_die("%s holds no PEM certificate", bundle);
    }
    if (der && ca.n != 0) tls_die("--cafile %s is DER: give it alone, or as PEM with --capath / --tls-use-os-certs", a->cafile);
    if (der) {
        /* A DER --cafile: handed to mbedTLS as it is. */
        char *s = slurp(a->cafile, &n);
        free(ca.p); /* empty (checked above) */
        if (s == NULL) tls_die("cannot read %s", a->cafile);
        tc->ca = (const uint8_t *)s;
        tc->ca_len = n;
    } else if (ca.n != 0) {
        tc->ca = (const uint8_t *)ca.p;
        tc->ca_len = ca.n + 1; /* PEM: with its NUL */
    } else {
        free(ca.p); /* nothing was added */
    }
    if (a->cert) {
        char *s = slurp(a->cert, &n);
        if (s == NULL) tls_die("cannot read %s", a->cert);
        tc->cert = (const uint8_t *)s;
        tc->cert_len = n + 1;
        s = slurp(a->key, &n);
        if (s == NULL) tls_die("cannot read %s", a->key);
        tc->key = (const uint8_t *)s;
        tc->key_len = n + 1;
    }
    if (a->alpn) {
        snprintf(alpn, sizeof alpn, "%s", a->alpn);
        for (char *p = strtok(alpn, ","); p && k < BMQTT_TLS_ALPN_MAX; p = strtok(NULL, ",")) tc->alpn[k++] = p;
    }
    if (a->tls_version) {
        if (strcmp(a->tls_version, "tlsv1.2") == 0) tc->tls_version = 12;
        else if (strcmp(a->tls_version, "tlsv1.3") == 0) tc->tls_version = 13;
        else tls_die("--tls-version %s: this bmqtt-cli speaks tlsv1.2 and tlsv1.3", a->tls_version);
#if !defined(MBEDTLS_SSL_PROTO_TLS1_3)
        if (tc->tls_version == 13) tls_die("--tls-version %s: this mbedTLS has no TLS 1.3", a->tls_version);
#endif
    }
    if (a->ciphers) {
        char list[1024], *p;
        k = 0;
        snprintf(list, sizeof list, "%s", a->ciphers);
        for (p = strtok(list, ":, "); p; p = strtok(NULL, ":, ")) {
            int id = cli_tls_suite(p);
            if (id == 0) tls_die("--ciphers: %s is not a cipher suite this mbedTLS knows", p);
            if (k < (int)(sizeof suites / sizeof suites[0]) - 1) suites[k++] = id;
        }
        if (k == 0) tls_die("--ciphers %s: no cipher suite", a->ciphers);
        suites[k] = 0;
        tc->ciphersuites = suites;
    }
}

void cli_tls_trace(FILE *out, const bmqtt_tls_t *tls)
{
    const char *ver = mbedtls_ssl_get_version(&tls->ssl);
    switch (bmqtt_tls_resumption(tls)) {
    case BMQTT_TLS_RESUME_OK: fprintf(out, "%s resumed\n", ver); break;
    case BMQTT_TLS_RESUME_REFUSED: fprintf(out, "%s full handshake (resumption refused by the server)\n", ver); break;
    case BMQTT_TLS_RESUME_INVALID: fprintf(out, "%s full handshake (saved session refused)\n", ver); break;
    default: fprintf(out, "%s full handshake\n", ver); break;
    }
}

void cli_tls_session_load(bmqtt_tls_t *tls, const char *path, FILE *log)
{
    size_t n = 0;
    char *s = slurp(path, &n);
    bmqtt_status_t st;
    if (s == NULL) return; /* none yet */
    st = bmqtt_tls_session_offer(tls, (const uint8_t *)s, n);
    if (st != BMQTT_OK && log != NULL) fprintf(log, "TLS session in %s not used: %s (%d)\n", path, bmqtt_status_str(st), (int)st);
    free(s);
}

void cli_tls_session_save(bmqtt_tls_t *tls, const char *path)
{
    uint8_t buf[8192];
    size_t n = 0;
    FILE *f;
    if (bmqtt_tls_session_save(tls, buf, sizeof buf, &n) != BMQTT_OK) return;
    if ((f = fopen(path, "wb")) == NULL) return;
    if (fwrite(buf, 1, n, f) != n) n = 0;
    fclose(f);
}
