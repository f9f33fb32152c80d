/* Baidu IoT Core signature authentication (include/bmqtt/cloud.h): a plain
 * MD5, not an HMAC. */
#include <string.h>

#include "bmqtt/cloud.h"
#include "bmqtt_cloud_internal.h"

typedef struct baidu_arg {
    const bmqtt_baidu_device_t *dev;
    const uint8_t *digest;
    size_t digest_len;
} baidu_arg_t;

/* "<deviceKey>&<ts>&MD5<secret>" */
static void emit_hashed(bmqtt_cw_t *w, const void *arg)
{
    const bmqtt_baidu_device_t *d = ((const baidu_arg_t *)arg)->dev;
    bmqtt_cw_view(w, d->device_key);
    bmqtt_cw_str(w, "&");
    bmqtt_cw_u64(w, d->timestamp_s);
    bmqtt_cw_str(w, "&MD5");
    bmqtt_cw_view(w, d->secret);
}

static void emit_creds(bmqtt_cw_t *w, const void *arg)
{
    const baidu_arg_t *a = (const baidu_arg_t *)arg;
    const bmqtt_baidu_device_t *d = a->dev;
    bmqtt_cw_view(w, d->device_key);
    bmqtt_cw_nul(w);
    bmqtt_cw_str(w, "thingidp@");
    bmqtt_cw_view(w, d->core_id);
    bmqtt_cw_str(w, "|");
    bmqtt_cw_view(w, d->device_key);
    bmqtt_cw_str(w, "|");
    bmqtt_cw_u64(w, d->timestamp_s);
    bmqtt_cw_str(w, "|MD5");
    bmqtt_cw_nul(w);
    bmqtt_cw_hex(w, a->digest, a->digest_len);
    bmqtt_cw_nul(w);
}

bmqtt_status_t bmqtt_baidu_credentials(const bmqtt_baidu_device_t *dev, char *buf, size_t cap, size_t *len,
                                       bmqtt_connect_t *out)
{
    bmqtt_cloud_names();
    uint8_t digest[BMQTT_CLOUD_DIGEST_MAX];
    baidu_arg_t a;
    bmqtt_status_t st;

    if (dev == NULL) return BMQTT_ERR_PARAM;
    if ((st = bmqtt_cloud_field(dev->core_id, BMQTT_CLOUD_FIELD_MAX, "|@")) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(dev->device_key, BMQTT_CLOUD_FIELD_MAX, "|&")) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(dev->secret, BMQTT_CLOUD_FIELD_MAX, NULL)) != BMQTT_OK) return st;
    memset(&a, 0, sizeof a);
    a.dev = dev;
    st = bmqtt_cloud_hash(BMQTT_CLOUD_MD5, emit_hashed, &a, digest, &a.digest_len);
    if (st != BMQTT_OK) return st;
    a.digest = digest;
    return bmqtt_cloud_creds(emit_creds, &a, buf, cap, len, out);
}
