/* AWS IoT Core (include/bmqtt/cloud.h): X.509 mutual TLS, so nothing to sign;
 * the port and ALPN choice, and the endpoint host. */
#include <string.h>

#include "bmqtt/cloud.h"
#include "bmqtt_cloud_internal.h"

bmqtt_status_t bmqtt_aws_endpoint(bmqtt_aws_mode_t mode, uint16_t *port, const char **alpn)
{
    bmqtt_cloud_names();
    if (port == NULL || alpn == NULL) return BMQTT_ERR_PARAM;
    switch (mode) {
    case BMQTT_AWS_MTLS_8883: *port = 8883u; *alpn = NULL; return BMQTT_OK;
    case BMQTT_AWS_MTLS_443: *port = 443u; *alpn = "x-amzn-mqtt-ca"; return BMQTT_OK;
    case BMQTT_AWS_CUSTOM_AUTH_443: *port = 443u; *alpn = "mqtt"; return BMQTT_OK;
    }
    return BMQTT_ERR_PARAM;
}

typedef struct aws_host_arg {
    bmqtt_view_t prefix, region;
} aws_host_arg_t;

static void emit_host(bmqtt_cw_t *w, const void *arg)
{
    const aws_host_arg_t *a = (const aws_host_arg_t *)arg;
    bmqtt_cw_view(w, a->prefix);
    bmqtt_cw_str(w, ".iot.");
    bmqtt_cw_view(w, a->region);
    bmqtt_cw_str(w, ".amazonaws.com");
    bmqtt_cw_nul(w);
}

/* Host names: letters, digits and '-' only. */
static bmqtt_status_t label(bmqtt_view_t v)
{
    bmqtt_status_t st = bmqtt_cloud_field(v, 63u, NULL);
    for (size_t i = 0; st == BMQTT_OK && i < v.len; i++) {
        uint8_t c = v.ptr[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
            st = BMQTT_ERR_CLOUD_FIELD;
    }
    return st;
}

bmqtt_status_t bmqtt_aws_host(bmqtt_view_t prefix, bmqtt_view_t region, char *buf, size_t cap, size_t *len)
{
    bmqtt_cloud_names();
    aws_host_arg_t a;
    bmqtt_status_t st;
    if ((st = label(prefix)) != BMQTT_OK || (st = label(region)) != BMQTT_OK) return st;
    a.prefix = prefix;
    a.region = region;
    return bmqtt_cloud_string(emit_host, &a, buf, cap, len);
}
