/* aliyun-cred: print the MQTT credentials of an Aliyun IoT device, the exact
 * CONNECT packet in hex, the device's topics, and optionally connect and post a
 * property in Alink JSON. Example code on include/bmqtt/aliyun.h.
 *
 *   aliyun-cred --pk a1wFylTxYeD --dn co_0001 --ds 7ab0c4b3532b5783df5fdc58a2895d7a --connect-hex
 *
 * Defaults are what Aliyun accepts for a new device today: hmacsha256 and
 * securemode 2 (TLS; --broker connects with TLS, port 8883 unless given,
 * verified against --cafile or the system's CA bundle). Aliyun's MQTT
 * walk-through uses the older hmacsha1 over plain TCP: --method hmacsha1
 * --securemode 3. No timestamp, keepalive 300, clean session.
 * Exit: 0 ok, 1 error, 2 bad command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/aliyun.h"
#include "bmqtt/client.h"
#include "bmqtt_posix.h"
#include "bmqtt_tls.h"

static const char usage[] =
    "usage: aliyun-cred --pk PK --dn DN --ds SECRET [options]\n"
    "  --method hmacsha256|hmacsha1|hmacmd5   sign method (hmacsha256)\n"
    "  --securemode 2|3|-2                    2 TLS, 3 plain TCP (refused for new devices),\n"
    "                                         -2 dynamic registration (2)\n"
    "  --ts MS                                timestamp in milliseconds (none)\n"
    "  --cid PREFIX                           client id prefix (the device name)\n"
    "  --random R --regnwl                    dynamic registration (securemode -2; --ds is the ProductSecret)\n"
    "  --region R | --instance ID             host: legacy region (cn-shanghai) or instance id\n"
    "  --keepalive S  --clean 0|1             CONNECT fields (300, 1)\n"
    "  --connect-hex                          print the CONNECT packet in hex\n"
    "  --no-check                             do not refuse fields outside Aliyun's limits\n"
    "  --topics                               print the device's topics\n"
    "  --register-reply JSON                  print the DeviceSecret of an /ext/register payload\n"
    "  --broker HOST[:PORT]                   connect and post a property (Alink JSON); TLS unless\n"
    "                                         --securemode 3 (port 8883 with TLS, 1883 without)\n"
    "  --cafile FILE | --insecure             TLS: trusted CAs (default: the system's bundle)\n"
    "  --params JSON  --id ID  --qos 0|1      the post ({\"PowerSwitch_1\":1}, 123, 0)\n";

static void fail(const char *what, bmqtt_status_t st)
{
    fprintf(stderr, "aliyun-cred: %s: %s (%d)\n", what, bmqtt_status_str(st), (int)st);
    exit(1);
}

static int bad(const char *msg, const char *arg)
{
    fprintf(stderr, "aliyun-cred: %s%s\n%s", msg, arg ? arg : "", usage);
    return 2;
}

static int parse_long(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *s == '\0' || *end != '\0' || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static const bmqtt_aliyun_device_t *g_dev;
static int posted_done;
static const char *g_cafile = "/etc/ssl/certs/ca-certificates.crt";
static int g_insecure, g_cafile_given;

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_PUBLISH_DONE) {
        if (ev->status != BMQTT_OK) fail("publish", ev->status);
        posted_done = 1;
    }
}

/* A whole file with a NUL after it (mbedTLS parses PEM with its NUL). */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;
    if (fp != NULL && fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, fp) == (size_t)n) {
        buf[n] = 0;
        *len = (size_t)n + 1;
    } else {
        free(buf);
        buf = NULL;
    }
    if (fp) fclose(fp);
    return buf;
}

/* Connect to a broker with the credentials and post one property (QoS 0 or 1). */
static int post(const char *broker, const bmqtt_connect_t *f, const char *params, const char *msg_id, uint8_t qos)
{
    static uint8_t tx[1024], rx[512];
    static bmqtt_inflight_t slots[2];
    static uint16_t ids[2];
    static char topic[BMQTT_ALIYUN_TOPIC_MAX], body[512];
    static bmqtt_tls_t tls;
    bmqtt_tls_config_t tc;
    bmqtt_client_config_t cfg;
    bmqtt_client_t c = { 0 }; /* zeroed: init reads it to refuse a live client */
    bmqtt_posix_t sock;
    bmqtt_transport_t tcp, tr;
    int use_tls = g_dev->securemode != BMQTT_ALIYUN_SECUREMODE_TCP;
    bmqtt_publish_t p;
    bmqtt_status_t st;
    char host[256];
    long long port;
    size_t tlen, blen;
    const char *colon = strrchr(broker, ':');
    uint32_t start;

    size_t hlen = colon ? (size_t)(colon - broker) : strlen(broker);
    port = use_tls ? 8883 : 1883;
    if (hlen == 0 || hlen >= sizeof host || (colon != NULL && parse_long(colon + 1, 1, 65535, &port) != 0)) {
        fprintf(stderr, "aliyun-cred: --broker wants HOST or HOST:PORT\n");
        return 2;
    }
    memcpy(host, broker, hlen);
    host[hlen] = '\0';
    memset(&tc, 0, sizeof tc);
    tc.host = host;
    tc.insecure = (uint8_t)g_insecure;
    if (use_tls && !g_insecure && (tc.ca = slurp(g_cafile, &tc.ca_len)) == NULL) {
        fprintf(stderr, "aliyun-cred: cannot read %s%s\n", g_cafile,
                g_cafile_given ? "" : " (the system's CA bundle: give --cafile FILE, or --insecure)");
        return 1;
    }

    st = bmqtt_aliyun_topic(g_dev, BMQTT_ALIYUN_PROPERTY_POST, bmqtt_view_str(NULL), topic, sizeof topic, &tlen);
    if (st != BMQTT_OK) fail("topic", st);
    st = bmqtt_aliyun_alink(bmqtt_view_str(msg_id), bmqtt_view_str("thing.event.property.post"),
                            bmqtt_view_str(params), body, sizeof body, &blen);
    if (st != BMQTT_OK) fail("alink", st);
    memset(&p, 0, sizeof p);
    p.topic.ptr = (const uint8_t *)topic;
    p.topic.len = tlen;
    p.payload.ptr = (const uint8_t *)body;
    p.payload.len = blen;
    p.qos = qos;
    if ((st = bmqtt_aliyun_check_publish(&p)) != BMQTT_OK) fail("publish fields", st);

    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buf = tx;
    cfg.tx_size = sizeof tx;
    cfg.rx_buf = rx;
    cfg.rx_size = sizeof rx;
    cfg.inflight = slots;
    cfg.inflight_count = 2;
    cfg.qos2_ids = ids;
    cfg.qos2_count = 2;
    cfg.on_event = on_event;
    if ((st = bmqtt_client_init(&c, &cfg)) != BMQTT_OK) fail("client init", st);
    bmqtt_posix_init(&sock);
    if ((st = bmqtt_posix_connect(&sock, host, (uint16_t)port, 5000)) != BMQTT_OK) fail("tcp connect", st);
    bmqtt_posix_transport(&sock, &tcp);
    tr = tcp;
    if (use_tls) {
        /* TLS over the socket; the client's polls drive the handshake. */
        bmqtt_tls_init(&tls);
        if ((st = bmqtt_tls_setup(&tls, &tc, &tcp)) != BMQTT_OK) fail("tls setup", st);
        bmqtt_tls_transport(&tls, &tr);
    }
    if ((st = bmqtt_client_connect(&c, &tr, f, bmqtt_posix_now_ms())) != BMQTT_OK) fail("connect", st);
    while ((st = bmqtt_client_poll(&c, bmqtt_posix_now_ms())) == BMQTT_WOULD_BLOCK) {
        (void)bmqtt_posix_wait(&sock, !bmqtt_client_tx_idle(&c), 100);
    }
    if (st != BMQTT_OK) fail("connect", st);
    fprintf(stderr, "connected to %s:%lld (%s)\n", host, port, use_tls ? "TLS" : "plain TCP");
    if ((st = bmqtt_client_publish(&c, &p, NULL)) != BMQTT_OK) fail("publish", st);
    start = bmqtt_posix_now_ms();
    while (!(bmqtt_client_tx_idle(&c) && (qos == 0 || posted_done))) {
        (void)bmqtt_posix_wait(&sock, !bmqtt_client_tx_idle(&c), 100);
        if ((st = bmqtt_client_poll(&c, bmqtt_posix_now_ms())) < 0 && st != BMQTT_WOULD_BLOCK) fail("publish", st);
        if (bmqtt_posix_now_ms() - start > 10000u) fail("publish", BMQTT_ERR_TIMEOUT);
    }
    printf("posted: %s %s\n", topic, body);
    st = bmqtt_client_disconnect(&c); /* graceful: completes in poll */
    while (st == BMQTT_WOULD_BLOCK) {
        (void)bmqtt_posix_wait(&sock, !bmqtt_client_tx_idle(&c), 100);
        st = bmqtt_client_poll(&c, bmqtt_posix_now_ms());
    }
    bmqtt_posix_close(&sock);
    if (use_tls) bmqtt_tls_free(&tls);
    free((void *)tc.ca);
    return 0;
}

static void print_topics(const bmqtt_aliyun_device_t *dev)
{
    static const char *const names[] = { "property/post", "property/post_reply", "property/set",
                                         "property/set_reply", "event/post", "event/post_reply",
                                         "service", "service_reply", "raw/up", "raw/up_reply",
                                         "raw/down", "raw/down_reply", "ota/inform", "ota/upgrade",
                                         "ota/progress" };
    char t[BMQTT_ALIYUN_TOPIC_MAX];
    for (int k = 0; k <= (int)BMQTT_ALIYUN_OTA_PROGRESS; k++) {
        bmqtt_view_t id = bmqtt_view_str(k == (int)BMQTT_ALIYUN_SERVICE || k == (int)BMQTT_ALIYUN_SERVICE_REPLY
                                             ? "SetLight"
                                             : "Alarm");
        bmqtt_status_t st = bmqtt_aliyun_topic(dev, (bmqtt_aliyun_topic_t)k, id, t, sizeof t, NULL);
        if (st != BMQTT_OK) fail("topic", st);
        printf("topic %s: %s\n", names[k], t);
    }
}

int main(int argc, char **argv)
{
    static char cred[BMQTT_ALIYUN_CREDENTIALS_MAX];
    bmqtt_aliyun_device_t dev;
    bmqtt_connect_t f;
    bmqtt_status_t st;
    const char *pk = NULL, *dn = NULL, *ds = NULL, *region = "cn-shanghai", *instance = NULL, *broker = NULL;
    const char *params = "{\"PowerSwitch_1\":1}", *msg_id = "123", *reply = NULL;
    int hex = 0, check = 1, topics = 0;
    long long v, keepalive = 300, clean = 1, qos = 0;
    char host[128];
    size_t n;

    memset(&dev, 0, sizeof dev);
    dev.signmethod = BMQTT_ALIYUN_HMACSHA256;
    dev.securemode = BMQTT_ALIYUN_SECUREMODE_TLS;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *a = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(o, "--connect-hex")) { hex = 1; takes = 0; }
        else if (!strcmp(o, "--no-check")) { check = 0; takes = 0; }
        else if (!strcmp(o, "--topics")) { topics = 1; takes = 0; }
        else if (!strcmp(o, "--regnwl")) { dev.regnwl = 1; takes = 0; }
        else if (!strcmp(o, "--insecure")) { g_insecure = 1; takes = 0; }
        else if (!strcmp(o, "-h") || !strcmp(o, "--help")) { fputs(usage, stdout); return 0; }
        else if (a == NULL) return bad("missing value for ", o);
        else if (!strcmp(o, "--pk")) pk = a;
        else if (!strcmp(o, "--dn")) dn = a;
        else if (!strcmp(o, "--ds")) ds = a;
        else if (!strcmp(o, "--cid")) dev.client_id = bmqtt_view_str(a);
        else if (!strcmp(o, "--random")) dev.random = bmqtt_view_str(a);
        else if (!strcmp(o, "--region")) region = a;
        else if (!strcmp(o, "--instance")) instance = a;
        else if (!strcmp(o, "--broker")) broker = a;
        else if (!strcmp(o, "--cafile")) { g_cafile = a; g_cafile_given = 1; }
        else if (!strcmp(o, "--params")) params = a;
        else if (!strcmp(o, "--id")) msg_id = a;
        else if (!strcmp(o, "--register-reply")) reply = a;
        else if (!strcmp(o, "--method")) {
            if (!strcmp(a, "hmacsha1")) dev.signmethod = BMQTT_ALIYUN_HMACSHA1;
            else if (!strcmp(a, "hmacsha256")) dev.signmethod = BMQTT_ALIYUN_HMACSHA256;
            else if (!strcmp(a, "hmacmd5")) dev.signmethod = BMQTT_ALIYUN_HMACMD5;
            else return bad("unknown --method ", a);
        } else if (!strcmp(o, "--securemode")) {
            if (parse_long(a, -128, 127, &v) != 0) return bad("bad --securemode ", a);
            dev.securemode = (int8_t)v; /* the library refuses values other than 2, 3, -2 */
        } else if (!strcmp(o, "--ts")) {
            char *end;
            errno = 0;
            dev.timestamp_ms = strtoull(a, &end, 10);
            if (errno || *a == '\0' || *a == '-' || *end != '\0') return bad("bad --ts ", a);
        } else if (!strcmp(o, "--keepalive")) {
            if (parse_long(a, 0, 65535, &keepalive) != 0) return bad("bad --keepalive ", a);
        } else if (!strcmp(o, "--clean")) {
            if (parse_long(a, 0, 1, &clean) != 0) return bad("bad --clean ", a);
        } else if (!strcmp(o, "--qos")) {
            if (parse_long(a, 0, 2, &qos) != 0) return bad("bad --qos ", a);
        } else {
            return bad("unknown option ", o);
        }
        i += takes;
    }
    if (pk == NULL || dn == NULL || (ds == NULL && reply == NULL)) return bad("--pk, --dn and --ds are required", NULL);
    dev.product_key = bmqtt_view_str(pk);
    dev.device_name = bmqtt_view_str(dn);
    dev.device_secret = bmqtt_view_str(ds);
    g_dev = &dev;

    if (reply != NULL) {
        bmqtt_view_t secret;
        if ((st = bmqtt_aliyun_register_reply(&dev, bmqtt_view_str(reply), &secret)) != BMQTT_OK)
            fail("register reply", st);
        printf("deviceSecret: %.*s\n", (int)secret.len, (const char *)secret.ptr);
        if (ds == NULL) return 0;
    }

    memset(&f, 0, sizeof f);
    f.keepalive_s = (uint16_t)keepalive;
    f.clean_session = (uint8_t)clean;
    if ((st = bmqtt_aliyun_credentials(&dev, cred, sizeof cred, &n, &f)) != BMQTT_OK) fail("credentials", st);
    printf("clientId: %.*s\n", (int)f.client_id.len, (const char *)f.client_id.ptr);
    printf("username: %.*s\n", (int)f.username.len, (const char *)f.username.ptr);
    printf("password: %.*s\n", (int)f.password.len, (const char *)f.password.ptr);
    st = instance ? bmqtt_aliyun_instance_host(bmqtt_view_str(instance), host, sizeof host, NULL)
                  : bmqtt_aliyun_host(dev.product_key, bmqtt_view_str(region), host, sizeof host, NULL);
    if (st != BMQTT_OK) fail("host", st);
    printf("host: %s\n", host);
    printf("port: %s\n", dev.securemode == BMQTT_ALIYUN_SECUREMODE_TCP ? "1883 (TCP)" : "8883 (TLS; 1883 also takes TLS)");
    if (check && (st = bmqtt_aliyun_check_connect(&f)) != BMQTT_OK) fail("CONNECT fields", st);
    if (hex) {
        static uint8_t pkt[512];
        if ((st = bmqtt_connect_encode(&f, pkt, sizeof pkt, &n)) != BMQTT_OK) fail("CONNECT", st);
        printf("connect:");
        for (size_t i = 0; i < n; i++) printf(" %02X", pkt[i]);
        printf("\n");
    }
    if (topics) print_topics(&dev);
    if (broker != NULL) return post(broker, &f, params, msg_id, (uint8_t)qos);
    return 0;
}
