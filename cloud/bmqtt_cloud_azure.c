/* Azure IoT Hub SAS token (include/bmqtt/cloud.h). */
#include <string.h>

#include "bmqtt/cloud.h"
#include "bmqtt_cloud_internal.h"

typedef struct azure_arg {
    const bmqtt_azure_device_t *dev;
    const uint8_t *digest;
    size_t digest_len;
} azure_arg_t;

/* sr: the URL-encoded resource URI <hub>.azure-devices.net/devices/<deviceId>. */
static void emit_sr(bmqtt_cw_t *w, const bmqtt_azure_device_t *d)
{
    static const char mid[] = ".azure-devices.net/devices/";
    bmqtt_cw_url(w, d->hub.ptr, d->hub.len);
    bmqtt_cw_url(w, (const uint8_t *)mid, sizeof mid - 1u);
    bmqtt_cw_url(w, d->device_id.ptr, d->device_id.len);
}

/* The signed string: sr "\n" expiry. */
static void emit_signed(bmqtt_cw_t *w, const void *arg)
{
    const azure_arg_t *a = (const azure_arg_t *)arg;
    emit_sr(w, a->dev);
    bmqtt_cw_str(w, "\n");
    bmqtt_cw_u64(w, a->dev->expiry_s);
}

static void emit_creds(bmqtt_cw_t *w, const void *arg)
{
    const azure_arg_t *a = (const azure_arg_t *)arg;
    const bmqtt_azure_device_t *d = a->dev;
    bmqtt_cw_view(w, d->device_id);
    bmqtt_cw_nul(w);
    bmqtt_cw_view(w, d->hub);
    bmqtt_cw_str(w, ".azure-devices.net/");
    bmqtt_cw_view(w, d->device_id);
    bmqtt_cw_str(w, "/?api-version=" BMQTT_AZURE_API_VERSION);
    bmqtt_cw_nul(w);
    bmqtt_cw_str(w, "SharedAccessSignature sr=");
    emit_sr(w, d);
    bmqtt_cw_str(w, "&sig=");
    bmqtt_cw_b64(w, a->digest, a->digest_len, 1);
    bmqtt_cw_str(w, "&se=");
    bmqtt_cw_u64(w, d->expiry_s);
    bmqtt_cw_nul(w);
}

bmqtt_status_t bmqtt_azure_credentials(const bmqtt_azure_device_t *dev, char *buf, size_t cap, size_t *len,
                                       bmqtt_connect_t *out)
{
    bmqtt_cloud_names();
    uint8_t key[BMQTT_CLOUD_KEY_MAX], digest[BMQTT_CLOUD_DIGEST_MAX];
    size_t key_len = 0;
    azure_arg_t a;
    bmqtt_status_t st;

    if (dev == NULL || dev->expiry_s == 0u) return BMQTT_ERR_PARAM;
    /* The hub is a host label; device ids may hold punctuation but not '/' or '?'. */
    if ((st = bmqtt_cloud_field(dev->hub, 63u, "./?&=%#+ ")) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(dev->device_id, BMQTT_CLOUD_FIELD_MAX, "/?&#+ ")) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_b64_key(dev->key, key, &key_len)) != BMQTT_OK) return st;
    memset(&a, 0, sizeof a);
    a.dev = dev;
    st = bmqtt_cloud_hmac(BMQTT_CLOUD_SHA256, key, key_len, emit_signed, &a, digest, &a.digest_len);
    bmqtt_cloud_wipe(key, sizeof key);
    if (st != BMQTT_OK) return st;
    a.digest = digest;
    return bmqtt_cloud_creds(emit_creds, &a, buf, cap, len, out);
}
