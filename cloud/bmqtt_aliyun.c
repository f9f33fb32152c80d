/* Aliyun IoT Platform: credentials, hosts, topics, Alink JSON, limits and the
 * dynamic-registration reply (include/bmqtt/aliyun.h). */
#include <string.h>

#include "bmqtt/aliyun.h"
#include "bmqtt/cloud.h"
#include "bmqtt_cloud_internal.h"

static const char *const sign_names[3] = { "hmacsha256", "hmacsha1", "hmacmd5" };

/* Characters that would break "<cid>|k=v,k=v|" or "<dn>&<pk>". */
#define CID_FORBID "|,"
#define NAME_FORBID "|,&"

typedef struct creds_arg {
    const bmqtt_aliyun_device_t *dev;
    bmqtt_view_t cid;
    const uint8_t *digest;
    size_t digest_len;
} creds_arg_t;

static int is_register(const bmqtt_aliyun_device_t *dev)
{
    return dev->securemode == BMQTT_ALIYUN_SECUREMODE_REGISTER;
}

/* The signed content: names sorted, no separators. */
static void emit_content(bmqtt_cw_t *w, const void *arg)
{
    const creds_arg_t *a = (const creds_arg_t *)arg;
    if (!is_register(a->dev)) {
        bmqtt_cw_str(w, "clientId");
        bmqtt_cw_view(w, a->cid);
    }
    bmqtt_cw_str(w, "deviceName");
    bmqtt_cw_view(w, a->dev->device_name);
    bmqtt_cw_str(w, "productKey");
    bmqtt_cw_view(w, a->dev->product_key);
    if (is_register(a->dev)) {
        bmqtt_cw_str(w, "random");
        bmqtt_cw_view(w, a->dev->random);
    } else if (a->dev->timestamp_ms != 0u) {
        bmqtt_cw_str(w, "timestamp");
        bmqtt_cw_u64(w, a->dev->timestamp_ms);
    }
}

static void emit_creds(bmqtt_cw_t *w, const void *arg)
{
    const creds_arg_t *a = (const creds_arg_t *)arg;
    const bmqtt_aliyun_device_t *d = a->dev;

    bmqtt_cw_view(w, a->cid);
    if (is_register(d)) {
        bmqtt_cw_str(w, d->regnwl ? "|securemode=-2,authType=regnwl,random=" : "|securemode=-2,authType=register,random=");
        bmqtt_cw_view(w, d->random);
    } else {
        bmqtt_cw_str(w, d->securemode == BMQTT_ALIYUN_SECUREMODE_TLS ? "|securemode=2" : "|securemode=3");
    }
    bmqtt_cw_str(w, ",signmethod=");
    bmqtt_cw_str(w, sign_names[d->signmethod]);
    if (d->timestamp_ms != 0u) {
        bmqtt_cw_str(w, ",timestamp=");
        bmqtt_cw_u64(w, d->timestamp_ms);
    }
    bmqtt_cw_str(w, "|");
    bmqtt_cw_nul(w);

    bmqtt_cw_view(w, d->device_name);
    bmqtt_cw_str(w, "&");
    bmqtt_cw_view(w, d->product_key);
    bmqtt_cw_nul(w);

    bmqtt_cw_hex(w, a->digest, a->digest_len);
    bmqtt_cw_nul(w);
}

static int alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1 when every byte is a letter, a digit or in extra. */
static int only(bmqtt_view_t v, const char *extra)
{
    for (size_t i = 0; i < v.len; i++) {
        if (!alnum(v.ptr[i]) && strchr(extra, v.ptr[i]) == NULL) return 0;
    }
    return 1;
}

static bmqtt_status_t check_device(const bmqtt_aliyun_device_t *d, bmqtt_view_t *cid)
{
    bmqtt_status_t st;
    if (d->signmethod > BMQTT_ALIYUN_HMACMD5) return BMQTT_ERR_PARAM;
    if (d->securemode != BMQTT_ALIYUN_SECUREMODE_TLS && d->securemode != BMQTT_ALIYUN_SECUREMODE_TCP &&
        d->securemode != BMQTT_ALIYUN_SECUREMODE_REGISTER)
        return BMQTT_ERR_PARAM;
    if ((st = bmqtt_cloud_field(d->product_key, BMQTT_ALIYUN_PK_MAX, NAME_FORBID)) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(d->device_name, BMQTT_ALIYUN_DN_MAX, NAME_FORBID)) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(d->device_secret, BMQTT_ALIYUN_SECRET_MAX, NULL)) != BMQTT_OK) return st;
    *cid = d->client_id.ptr != NULL ? d->client_id : d->device_name;
    if ((st = bmqtt_cloud_field(*cid, BMQTT_ALIYUN_CID_MAX, CID_FORBID)) != BMQTT_OK) return st;
    if (is_register(d)) {
        if (d->timestamp_ms != 0u) return BMQTT_ERR_PARAM;
        if ((st = bmqtt_cloud_field(d->random, BMQTT_ALIYUN_RANDOM_MAX, NULL)) != BMQTT_OK) return st;
        if (!only(d->random, "")) return BMQTT_ERR_CLOUD_FIELD;
    }
    return BMQTT_OK;
}

bmqtt_status_t bmqtt_aliyun_credentials(const bmqtt_aliyun_device_t *dev, char *buf, size_t cap, size_t *len,
                                        bmqtt_connect_t *out)
{
    bmqtt_cloud_names();
    uint8_t digest[BMQTT_CLOUD_DIGEST_MAX];
    creds_arg_t a;
    bmqtt_status_t st;

    if (dev == NULL) return BMQTT_ERR_PARAM;
    memset(&a, 0, sizeof a);
    a.dev = dev;
    if ((st = check_device(dev, &a.cid)) != BMQTT_OK) return st;
    st = bmqtt_cloud_hmac(dev->signmethod, dev->device_secret.ptr, dev->device_secret.len, emit_content, &a, digest,
                          &a.digest_len);
    if (st != BMQTT_OK) return st;
    a.digest = digest;
    return bmqtt_cloud_creds(emit_creds, &a, buf, cap, len, out);
}

/* ------------------------------------------------------------------------ */
/* Hosts                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct host_arg {
    bmqtt_view_t first, region; /* region ptr NULL: an instance host */
} host_arg_t;

static void emit_host(bmqtt_cw_t *w, const void *arg)
{
    const host_arg_t *a = (const host_arg_t *)arg;
    bmqtt_cw_view(w, a->first);
    if (a->region.ptr != NULL) {
        bmqtt_cw_str(w, ".iot-as-mqtt.");
        bmqtt_cw_view(w, a->region);
        bmqtt_cw_str(w, ".aliyuncs.com");
    } else {
        bmqtt_cw_str(w, ".mqtt.iothub.aliyuncs.com");
    }
    bmqtt_cw_nul(w);
}

static bmqtt_status_t host_label(bmqtt_view_t v)
{
    bmqtt_status_t st = bmqtt_cloud_field(v, 63u, NULL);
    if (st != BMQTT_OK) return st;
    return only(v, "-") ? BMQTT_OK : BMQTT_ERR_CLOUD_FIELD;
}

bmqtt_status_t bmqtt_aliyun_host(bmqtt_view_t product_key, bmqtt_view_t region, char *buf, size_t cap, size_t *len)
{
    bmqtt_cloud_names();
    host_arg_t a;
    bmqtt_status_t st;
    if ((st = host_label(product_key)) != BMQTT_OK || (st = host_label(region)) != BMQTT_OK) return st;
    a.first = product_key;
    a.region = region;
    return bmqtt_cloud_string(emit_host, &a, buf, cap, len);
}

bmqtt_status_t bmqtt_aliyun_instance_host(bmqtt_view_t instance_id, char *buf, size_t cap, size_t *len)
{
    bmqtt_cloud_names();
    host_arg_t a;
    bmqtt_status_t st;
    if ((st = host_label(instance_id)) != BMQTT_OK) return st;
    a.first = instance_id;
    a.region.ptr = NULL;
    a.region.len = 0;
    return bmqtt_cloud_string(emit_host, &a, buf, cap, len);
}

/* ------------------------------------------------------------------------ */
/* Topics                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct topic_arg {
    const bmqtt_aliyun_device_t *dev;
    bmqtt_aliyun_topic_t which;
    bmqtt_view_t id;
} topic_arg_t;

/* The part after /sys/<pk>/<dn>/thing/ for each kind; "%" stands for the id. */
static const char *const thing_tail[] = {
    "event/property/post", "event/property/post_reply", "service/property/set", "service/property/set_reply",
    "event/%/post",        "event/%/post_reply",        "service/%",            "service/%_reply",
    "model/up_raw",        "model/up_raw_reply",        "model/down_raw",       "model/down_raw_reply",
};
static const char *const ota_kind[] = { "inform/", "upgrade/", "progress/" };

static void emit_topic(bmqtt_cw_t *w, const void *arg)
{
    const topic_arg_t *a = (const topic_arg_t *)arg;
    if (a->which >= BMQTT_ALIYUN_OTA_INFORM) {
        bmqtt_cw_str(w, "/ota/device/");
        bmqtt_cw_str(w, ota_kind[a->which - BMQTT_ALIYUN_OTA_INFORM]);
        bmqtt_cw_view(w, a->dev->product_key);
        bmqtt_cw_str(w, "/");
        bmqtt_cw_view(w, a->dev->device_name);
    } else {
        const char *t = thing_tail[a->which];
        const char *pct = strchr(t, '%');
        bmqtt_cw_str(w, "/sys/");
        bmqtt_cw_view(w, a->dev->product_key);
        bmqtt_cw_str(w, "/");
        bmqtt_cw_view(w, a->dev->device_name);
        bmqtt_cw_str(w, "/thing/");
        if (pct != NULL) {
            bmqtt_cw_put(w, t, (size_t)(pct - t));
            bmqtt_cw_view(w, a->id);
            bmqtt_cw_str(w, pct + 1);
        } else {
            bmqtt_cw_str(w, t);
        }
    }
    bmqtt_cw_nul(w);
}

bmqtt_status_t bmqtt_aliyun_topic(const bmqtt_aliyun_device_t *dev, bmqtt_aliyun_topic_t which, bmqtt_view_t id,
                                  char *buf, size_t cap, size_t *len)
{
    bmqtt_cloud_names();
    topic_arg_t a;
    bmqtt_status_t st;
    if (dev == NULL || (unsigned)which > (unsigned)BMQTT_ALIYUN_OTA_PROGRESS) return BMQTT_ERR_PARAM;
    if ((st = bmqtt_cloud_field(dev->product_key, BMQTT_ALIYUN_PK_MAX, "/+#")) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(dev->device_name, BMQTT_ALIYUN_DN_MAX, "/+#")) != BMQTT_OK) return st;
    if (which >= BMQTT_ALIYUN_EVENT_POST && which <= BMQTT_ALIYUN_SERVICE_REPLY) {
        if ((st = bmqtt_cloud_field(id, BMQTT_ALIYUN_ID_MAX, NULL)) != BMQTT_OK) return st;
        if (!only(id, "_.")) return BMQTT_ERR_CLOUD_FIELD;
    }
    a.dev = dev;
    a.which = which;
    a.id = id;
    return bmqtt_cloud_string(emit_topic, &a, buf, cap, len);
}

/* ------------------------------------------------------------------------ */
/* Alink JSON                                                               */
/* ------------------------------------------------------------------------ */

typedef struct alink_arg {
    bmqtt_view_t id, method, params;
} alink_arg_t;

static void emit_alink(bmqtt_cw_t *w, const void *arg)
{
    const alink_arg_t *a = (const alink_arg_t *)arg;
    bmqtt_cw_str(w, "{\"id\":\"");
    bmqtt_cw_view(w, a->id);
    bmqtt_cw_str(w, "\",\"version\":\"1.0\",\"params\":");
    bmqtt_cw_view(w, a->params);
    bmqtt_cw_str(w, ",\"method\":\"");
    bmqtt_cw_view(w, a->method);
    bmqtt_cw_str(w, "\"}");
    bmqtt_cw_nul(w);
}

bmqtt_status_t bmqtt_aliyun_alink(bmqtt_view_t id, bmqtt_view_t method, bmqtt_view_t params, char *buf, size_t cap,
                                  size_t *len)
{
    bmqtt_cloud_names();
    alink_arg_t a;
    bmqtt_status_t st;
    if ((st = bmqtt_cloud_field(id, BMQTT_ALIYUN_ID_MAX, "\"\\")) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(method, BMQTT_ALIYUN_ID_MAX, "\"\\")) != BMQTT_OK) return st;
    if (params.ptr == NULL || params.len == 0u) return BMQTT_ERR_PARAM;
    a.id = id;
    a.method = method;
    a.params = params;
    return bmqtt_cloud_string(emit_alink, &a, buf, cap, len);
}

/* ------------------------------------------------------------------------ */
/* Limits                                                                   */
/* ------------------------------------------------------------------------ */

bmqtt_status_t bmqtt_aliyun_check_connect(const bmqtt_connect_t *c)
{
    bmqtt_cloud_names();
    return bmqtt_cloud_check_connect(&bmqtt_cloud_limits_aliyun, c);
}

bmqtt_status_t bmqtt_aliyun_check_publish(const bmqtt_publish_t *p)
{
    bmqtt_cloud_names();
    return bmqtt_cloud_check_publish(&bmqtt_cloud_limits_aliyun, p);
}

bmqtt_status_t bmqtt_aliyun_check_subscribe(const bmqtt_subscription_t *subs, size_t count)
{
    bmqtt_cloud_names();
    return bmqtt_cloud_check_subscribe(&bmqtt_cloud_limits_aliyun, subs, count);
}

/* ------------------------------------------------------------------------ */
/* JSON member lookup and the /ext/register reply                           */
/* ------------------------------------------------------------------------ */

/* Index of the first non-blank byte at or after i. */
static size_t skip_ws(const uint8_t *p, size_t n, size_t i)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')) i++;
    return i;
}

/* p[i] is '"': index after the closing quote, 0 when it is missing or the
 * string holds a control byte or an escape JSON does not define. */
static size_t skip_string(const uint8_t *p, size_t n, size_t i, int *escaped)
{
    for (i++; i < n; i++) {
        if (p[i] == '"') return i + 1u;
        if (p[i] < 0x20u) return 0;
        if (p[i] != '\\') continue;
        *escaped = 1;
        if (++i >= n) return 0;
        if (p[i] == 'u') {
            for (unsigned k = 0; k < 4u; k++) {
                if (++i >= n || !((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
                                  (p[i] >= 'A' && p[i] <= 'F')))
                    return 0;
            }
        } else if (memchr("\"\\/bfnrt", p[i], 8u) == NULL) {
            return 0;
        }
    }
    return 0;
}

static size_t skip_digits(const uint8_t *p, size_t n, size_t i)
{
    while (i < n && p[i] >= '0' && p[i] <= '9') i++;
    return i;
}

/* A number, true, false or null at p[i]: index after it, 0 when malformed. */
static size_t skip_scalar(const uint8_t *p, size_t n, size_t i)
{
    static const char *const lit[3] = { "true", "false", "null" };
    size_t j;
    for (unsigned k = 0; k < 3u; k++) {
        size_t len = strlen(lit[k]);
        if (n - i >= len && memcmp(p + i, lit[k], len) == 0) return i + len;
    }
    if (p[i] == '-') i++;
    if (i < n && p[i] == '0') {
        i++;
    } else if ((j = skip_digits(p, n, i)) > i) {
        i = j;
    } else {
        return 0;
    }
    if (i < n && p[i] == '.') {
        if ((j = skip_digits(p, n, i + 1u)) == i + 1u) return 0;
        i = j;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) i++;
        if ((j = skip_digits(p, n, i)) == i) return 0;
        i = j;
    }
    return i;
}

/* p[i] should start `"name" :`: index after the colon, 0 when malformed. */
static size_t skip_name(const uint8_t *p, size_t n, size_t i)
{
    int esc = 0;
    if (i >= n || p[i] != '"' || (i = skip_string(p, n, i, &esc)) == 0u) return 0;
    i = skip_ws(p, n, i);
    return i < n && p[i] == ':' ? i + 1u : 0;
}

/* Index after the JSON value starting at p[i], 0 when it is malformed or cut
 * (RFC 8259 grammar; bytes >= 0x80 are not checked as UTF-8). Containers are
 * walked without recursion: bit d of arrays says whether the container at
 * depth d + 1 is an array, so that every closer must match its opener (hence
 * BMQTT_ALIYUN_JSON_DEPTH_MAX <= 32). */
static size_t skip_value(const uint8_t *p, size_t n, size_t i)
{
    uint32_t arrays = 0;
    unsigned depth = 0;
    int esc = 0;
    for (;;) {
        if (i >= n) return 0;
        if (p[i] == '{' || p[i] == '[') {
            if (depth == BMQTT_ALIYUN_JSON_DEPTH_MAX) return 0;
            arrays = p[i] == '[' ? arrays | ((uint32_t)1u << depth) : arrays & ~((uint32_t)1u << depth);
            depth++;
            i = skip_ws(p, n, i + 1u);
            if (i >= n || p[i] != ((arrays >> (depth - 1u)) & 1u ? ']' : '}')) {
                if (!((arrays >> (depth - 1u)) & 1u) && (i = skip_name(p, n, i)) == 0u) return 0;
                i = skip_ws(p, n, i);
                continue; /* the first member or element */
            }
            i++; /* an empty container */
            depth--;
        } else if (p[i] == '"') {
            if ((i = skip_string(p, n, i, &esc)) == 0u) return 0;
        } else if ((i = skip_scalar(p, n, i)) == 0u) {
            return 0;
        }
        /* After a value: close containers, or go on after a comma. */
        for (;;) {
            uint32_t in_array;
            if (depth == 0u) return i;
            in_array = (arrays >> (depth - 1u)) & 1u;
            i = skip_ws(p, n, i);
            if (i >= n) return 0;
            if (p[i] == (in_array ? ']' : '}')) {
                i++;
                depth--;
                continue;
            }
            if (p[i] != ',') return 0;
            i = skip_ws(p, n, i + 1u);
            if (!in_array && (i = skip_name(p, n, i)) == 0u) return 0;
            i = skip_ws(p, n, i);
            break;
        }
    }
}

bmqtt_status_t bmqtt_aliyun_json_string(bmqtt_view_t json, const char *key, bmqtt_view_t *value)
{
    bmqtt_cloud_names();
    const uint8_t *p = json.ptr;
    size_t n = json.len, klen, i, vs;

    if (key == NULL || value == NULL || (p == NULL && n != 0u)) return BMQTT_ERR_PARAM;
    klen = strlen(key);
    i = skip_ws(p, n, 0);
    if (i >= n || p[i] != '{') return BMQTT_ERR_CLOUD_REPLY;
    /* The whole payload must be one well-formed object, nothing cut or after it. */
    vs = skip_value(p, n, i);
    if (vs == 0u || skip_ws(p, n, vs) != n) return BMQTT_ERR_CLOUD_REPLY;
    i = skip_ws(p, n, i + 1u);
    if (i < n && p[i] == '}') return BMQTT_ERR_CLOUD_REPLY; /* empty object: no such key */
    while (i < n) {
        int kesc = 0, vesc = 0;
        size_t ks, ke, ve;
        if (p[i] != '"') return BMQTT_ERR_CLOUD_REPLY;
        ks = i + 1u;
        if ((i = skip_string(p, n, i, &kesc)) == 0u) return BMQTT_ERR_CLOUD_REPLY;
        ke = i - 1u;
        i = skip_ws(p, n, i);
        if (i >= n || p[i] != ':') return BMQTT_ERR_CLOUD_REPLY;
        vs = skip_ws(p, n, i + 1u);
        if ((ve = skip_value(p, n, vs)) == 0u) return BMQTT_ERR_CLOUD_REPLY;
        if (!kesc && ke - ks == klen && memcmp(p + ks, key, klen) == 0) {
            if (p[vs] != '"') return BMQTT_ERR_CLOUD_REPLY;
            (void)skip_string(p, n, vs, &vesc);
            if (vesc) return BMQTT_ERR_CLOUD_REPLY;
            value->ptr = p + vs + 1u;
            value->len = ve - vs - 2u;
            return BMQTT_OK;
        }
        i = skip_ws(p, n, ve);
        if (i >= n) break;
        if (p[i] == '}') return BMQTT_ERR_CLOUD_REPLY; /* end of the object: not found */
        if (p[i] != ',') break;
        i = skip_ws(p, n, i + 1u);
    }
    return BMQTT_ERR_CLOUD_REPLY;
}

static int view_eq(bmqtt_view_t a, bmqtt_view_t b)
{
    return a.len == b.len && (a.len == 0u || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bmqtt_status_t bmqtt_aliyun_register_reply(const bmqtt_aliyun_device_t *dev, bmqtt_view_t payload,
                                           bmqtt_view_t *device_secret)
{
    bmqtt_cloud_names();
    bmqtt_view_t pk, dn, secret;
    if (dev == NULL || device_secret == NULL) return BMQTT_ERR_PARAM;
    if (bmqtt_aliyun_json_string(payload, "productKey", &pk) != BMQTT_OK ||
        bmqtt_aliyun_json_string(payload, "deviceName", &dn) != BMQTT_OK ||
        bmqtt_aliyun_json_string(payload, "deviceSecret", &secret) != BMQTT_OK)
        return BMQTT_ERR_CLOUD_REPLY;
    if (!view_eq(pk, dev->product_key) || !view_eq(dn, dev->device_name)) return BMQTT_ERR_CLOUD_REPLY;
    if (secret.len == 0u || !bmqtt_cloud_field_ok(secret, BMQTT_ALIYUN_SECRET_MAX, NULL)) return BMQTT_ERR_CLOUD_REPLY;
    *device_secret = secret;
    return BMQTT_OK;
}
