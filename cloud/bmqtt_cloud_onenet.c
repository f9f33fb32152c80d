/* China Mobile OneNET token (include/bmqtt/cloud.h). */
#include <string.h>

#include "bmqtt/cloud.h"
#include "bmqtt_cloud_internal.h"

#define ONENET_VERSION "2018-10-31"

static const char *const method_names[3] = { "sha256", "sha1", "md5" };

typedef struct onenet_arg {
    const bmqtt_onenet_device_t *dev;
    const uint8_t *digest;
    size_t digest_len;
} onenet_arg_t;

static void emit_res(bmqtt_cw_t *w, const bmqtt_onenet_device_t *d, int url)
{
    if (url) {
        bmqtt_cw_str(w, "products%2F");
        bmqtt_cw_url(w, d->product_id.ptr, d->product_id.len);
        bmqtt_cw_str(w, "%2Fdevices%2F");
        bmqtt_cw_url(w, d->device_name.ptr, d->device_name.len);
    } else {
        bmqtt_cw_str(w, "products/");
        bmqtt_cw_view(w, d->product_id);
        bmqtt_cw_str(w, "/devices/");
        bmqtt_cw_view(w, d->device_name);
    }
}

/* "<et>\n<method>\n<res>\n<version>" */
static void emit_signed(bmqtt_cw_t *w, const void *arg)
{
    const bmqtt_onenet_device_t *d = ((const onenet_arg_t *)arg)->dev;
    bmqtt_cw_u64(w, d->expiry_s);
    bmqtt_cw_str(w, "\n");
    bmqtt_cw_str(w, method_names[d->hash]);
    bmqtt_cw_str(w, "\n");
    emit_res(w, d, 0);
    bmqtt_cw_str(w, "\n" ONENET_VERSION);
}

static void emit_creds(bmqtt_cw_t *w, const void *arg)
{
    const onenet_arg_t *a = (const onenet_arg_t *)arg;
    const bmqtt_onenet_device_t *d = a->dev;
    bmqtt_cw_view(w, d->device_name);
    bmqtt_cw_nul(w);
    bmqtt_cw_view(w, d->product_id);
    bmqtt_cw_nul(w);
    bmqtt_cw_str(w, "version=" ONENET_VERSION "&res=");
    emit_res(w, d, 1);
    bmqtt_cw_str(w, "&et=");
    bmqtt_cw_u64(w, d->expiry_s);
    bmqtt_cw_str(w, "&method=");
    bmqtt_cw_str(w, method_names[d->hash]);
    bmqtt_cw_str(w, "&sign=");
    bmqtt_cw_b64(w, a->digest, a->digest_len, 1);
    bmqtt_cw_nul(w);
}

bmqtt_status_t bmqtt_onenet_credentials(const bmqtt_onenet_device_t *dev, char *buf, size_t cap, size_t *len,
                                        bmqtt_connect_t *out)
{
    bmqtt_cloud_names();
    uint8_t key[BMQTT_CLOUD_KEY_MAX], digest[BMQTT_CLOUD_DIGEST_MAX];
    size_t key_len = 0;
    onenet_arg_t a;
    bmqtt_status_t st;

    if (dev == NULL || dev->expiry_s == 0u || dev->hash > BMQTT_CLOUD_MD5) return BMQTT_ERR_PARAM;
    if ((st = bmqtt_cloud_field(dev->product_id, BMQTT_CLOUD_FIELD_MAX, "/")) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(dev->device_name, BMQTT_CLOUD_FIELD_MAX, "/")) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_b64_key(dev->key, key, &key_len)) != BMQTT_OK) return st;
    memset(&a, 0, sizeof a);
    a.dev = dev;
    st = bmqtt_cloud_hmac(dev->hash, key, key_len, emit_signed, &a, digest, &a.digest_len);
    bmqtt_cloud_wipe(key, sizeof key);
    if (st != BMQTT_OK) return st;
    a.digest = digest;
    return bmqtt_cloud_creds(emit_creds, &a, buf, cap, len, out);
}
