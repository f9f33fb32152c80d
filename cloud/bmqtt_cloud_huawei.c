/* Huawei Cloud IoTDA (include/bmqtt/cloud.h): the UTC hour is the HMAC key. */
#include <string.h>

#include "bmqtt/cloud.h"
#include "bmqtt_cloud_internal.h"

typedef struct huawei_arg {
    const bmqtt_huawei_device_t *dev;
    const uint8_t *digest;
    size_t digest_len;
} huawei_arg_t;

static void emit_secret(bmqtt_cw_t *w, const void *arg)
{
    bmqtt_cw_view(w, ((const huawei_arg_t *)arg)->dev->secret);
}

static void emit_creds(bmqtt_cw_t *w, const void *arg)
{
    const huawei_arg_t *a = (const huawei_arg_t *)arg;
    const bmqtt_huawei_device_t *d = a->dev;
    bmqtt_cw_view(w, d->device_id);
    bmqtt_cw_str(w, d->check_time ? "_0_1_" : "_0_0_");
    bmqtt_cw_view(w, d->hour);
    bmqtt_cw_nul(w);
    bmqtt_cw_view(w, d->device_id);
    bmqtt_cw_nul(w);
    bmqtt_cw_hex(w, a->digest, a->digest_len);
    bmqtt_cw_nul(w);
}

bmqtt_status_t bmqtt_huawei_credentials(const bmqtt_huawei_device_t *dev, char *buf, size_t cap, size_t *len,
                                        bmqtt_connect_t *out)
{
    bmqtt_cloud_names();
    uint8_t digest[BMQTT_CLOUD_DIGEST_MAX];
    huawei_arg_t a;
    bmqtt_status_t st;

    if (dev == NULL || dev->check_time > 1u) return BMQTT_ERR_PARAM;
    if ((st = bmqtt_cloud_field(dev->device_id, BMQTT_CLOUD_FIELD_MAX, NULL)) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(dev->secret, BMQTT_CLOUD_FIELD_MAX, NULL)) != BMQTT_OK) return st;
    if ((st = bmqtt_cloud_field(dev->hour, 10u, NULL)) != BMQTT_OK) return st;
    if (dev->hour.len != 10u) return BMQTT_ERR_CLOUD_FIELD;
    for (size_t i = 0; i < 10u; i++) {
        if (dev->hour.ptr[i] < '0' || dev->hour.ptr[i] > '9') return BMQTT_ERR_CLOUD_FIELD;
    }
    memset(&a, 0, sizeof a);
    a.dev = dev;
    st = bmqtt_cloud_hmac(BMQTT_CLOUD_SHA256, dev->hour.ptr, dev->hour.len, emit_secret, &a, digest, &a.digest_len);
    if (st != BMQTT_OK) return st;
    a.digest = digest;
    return bmqtt_cloud_creds(emit_creds, &a, buf, cap, len, out);
}

static void two(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10u);
    p[1] = (char)('0' + v % 10u);
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian), counting in
 * 400-year eras that start on March 1 so the leap day ends each year. */
bmqtt_status_t bmqtt_huawei_hour(uint64_t unix_s, char out[11])
{
    bmqtt_cloud_names();
    uint64_t days = unix_s / 86400u, z, era, doe, yoe, doy, mp, year;
    unsigned month, day, hour = (unsigned)((unix_s % 86400u) / 3600u);

    if (out == NULL) return BMQTT_ERR_PARAM;
    z = days + 719468u; /* days from 0000-03-01 */
    era = z / 146097u;
    doe = z - era * 146097u;
    yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    mp = (5u * doy + 2u) / 153u;
    day = (unsigned)(doy - (153u * mp + 2u) / 5u + 1u);
    month = (unsigned)(mp < 10u ? mp + 3u : mp - 9u);
    year = yoe + era * 400u + (month <= 2u ? 1u : 0u);
    if (year > 9999u) return BMQTT_ERR_PARAM;
    two(out, (unsigned)(year / 100u));
    two(out + 2, (unsigned)(year % 100u));
    two(out + 4, month);
    two(out + 6, day);
    two(out + 8, hour);
    out[10] = '\0';
    return BMQTT_OK;
}
