/* Tencent IoT Hub / IoT Explorer with a device PSK (include/bmqtt/cloud.h). */
#include <string.h>

#include "bmqtt/cloud.h"
#include "bmqtt_cloud_internal.h"

typedef struct tencent_arg {
    const bmqtt_tencent_device_t *dev;
    const uint8_t *digest;
    size_t digest_len;
} tencent_arg_t;

static void emit_username(bmqtt_cw_t *w, const void *arg)
{
    const bmqtt_tencent_device_t *d = ((const tencent_arg_t *)arg)->dev;
    bmqtt_cw_view(w, d->product_id);
    bmqtt_cw_view(w, d->device_name);
    bmqtt_cw_str(w, ";");
    bmqtt_cw_u64(w, d->sdkappid != 0u ? d->sdkappid : BMQTT_TENCENT_SDKAPPID);
    bmqtt_cw_str(w, ";");
    bmqtt_cw_view(w, d->connid);
    bmqtt_cw_str(w, ";");
    bmqtt_cw_u64(w, d->expiry_s);
}

static void emit_creds(bmqtt_cw_t *w, const void *arg)
{
    const tencent_arg_t *a = (const tencent_arg_t *)arg;
    bmqtt_cw_view(w, a->dev->product_id);
    bmqtt_cw_view(w, a->dev->device_name);
    bmqtt_cw_nul(w);
    emit_username(w, arg);
    bmqtt_cw_nul(w);
    bmqtt_cw_hex(w, a->digest, a->digest_len);
    bmqtt_cw_str(w, a->dev->hash == BMQTT_CLOUD_SHA1 ? ";hmacsha1" : ";hmacsha256");
    bmqtt_cw_nul(w);
}

static int alnum_only(bmqtt_view_t v)
{
    for (size_t i = 0; i < v.len; i++) {
        uint8_t c = v.ptr[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return 0;
    }
    return 1;
}

static bmqtt_status_t product_id(bmqtt_view_t v)
{
    bmqtt_status_t st = bmqtt_cloud_field(v, 32u, NULL);
    return st != BMQTT_OK ? st : alnum_only(v) ? BMQTT_OK : BMQTT_ERR_CLOUD_FIELD;
}

bmqtt_status_t bmqtt_tencent_credentials(const bmqtt_tencent_device_t *dev, char *buf, size_t cap, size_t *len,
                                         bmqtt_connect_t *out)
{
    bmqtt_cloud_names();
    uint8_t key[BMQTT_CLOUD_KEY_MAX], digest[BMQTT_CLOUD_DIGEST_MAX];
    size_t key_len = 0;
    tencent_arg_t a;
    bmqtt_status_t st;

    if (dev == NULL || dev->expiry_s == 0u || (dev->hash != BMQTT_CLOUD_SHA256 && dev->hash != BMQTT_CLOUD_SHA1))
        return BMQTT_ERR_PARAM;
    if ((st = product_id(dev->product_id)) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(dev->device_name, BMQTT_CLOUD_FIELD_MAX, ";")) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(dev->connid, 5u, NULL)) != BMQTT_OK) return st;
    if (dev->connid.len != 5u || !alnum_only(dev->connid)) return BMQTT_ERR_CLOUD_FIELD;
    if ((st = bmqtt_cloud_b64_key(dev->psk, key, &key_len)) != BMQTT_OK) return st;
    memset(&a, 0, sizeof a);
    a.dev = dev;
    st = bmqtt_cloud_hmac(dev->hash, key, key_len, emit_username, &a, digest, &a.digest_len);
    bmqtt_cloud_wipe(key, sizeof key);
    if (st != BMQTT_OK) return st;
    a.digest = digest;
    return bmqtt_cloud_creds(emit_creds, &a, buf, cap, len, out);
}

static void emit_host(bmqtt_cw_t *w, const void *arg)
{
    bmqtt_cw_view(w, *(const bmqtt_view_t *)arg);
    bmqtt_cw_str(w, ".iotcloud.tencentdevices.com");
    bmqtt_cw_nul(w);
}

bmqtt_status_t bmqtt_tencent_host(bmqtt_view_t pid, char *buf, size_t cap, size_t *len)
{
    bmqtt_cloud_names();
    bmqtt_status_t st = product_id(pid);
    return st != BMQTT_OK ? st : bmqtt_cloud_string(emit_host, &pid, buf, cap, len);
}
