/* cloud-cred: print the MQTT credentials of a device on Azure IoT Hub,
 * Tencent IoT, Huawei IoTDA, OneNET or Baidu IoT Core, or AWS IoT's port and
 * ALPN. Example code on include/bmqtt/cloud.h (Aliyun: aliyun-cred).
 *
 *   cloud-cred azure   --hub H --device D --key BASE64 --expiry UNIX_S
 *   cloud-cred tencent --pid P --dn D --psk BASE64 --connid 5CHAR --expiry UNIX_S [--sdkappid N] [--method hmacsha1|hmacsha256]
 *   cloud-cred huawei  --device-id D --secret S (--hour YYYYMMDDHH | --time UNIX_S) [--check-time 0|1]
 *   cloud-cred onenet  --pid P --dn D --key BASE64 --expiry UNIX_S [--method sha256|sha1|md5]
 *   cloud-cred baidu   --core C --dk KEY --secret S [--ts UNIX_S]
 *   cloud-cred aws     --mode 8883|443|custom [--prefix P --region R]
 *
 * Exit: 0 ok, 1 error (the status is printed), 2 bad command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmqtt/cloud.h"

static const char usage[] =
    "usage: cloud-cred azure|tencent|huawei|onenet|baidu|aws [--name value]...\n"
    "  azure   --hub --device --key --expiry\n"
    "  tencent --pid --dn --psk --connid --expiry [--sdkappid] [--method hmacsha1|hmacsha256]\n"
    "  huawei  --device-id --secret (--hour YYYYMMDDHH | --time UNIX_S) [--check-time 0|1]\n"
    "  onenet  --pid --dn --key --expiry [--method sha256|sha1|md5]\n"
    "  baidu   --core --dk --secret [--ts]\n"
    "  aws     --mode 8883|443|custom [--prefix --region]\n";

static int argc_g;
static char **argv_g;

/* The value of --name, or NULL. */
static const char *opt(const char *name)
{
    for (int i = 2; i + 1 < argc_g; i += 2) {
        if (strcmp(argv_g[i] + 2, name) == 0) return argv_g[i + 1];
    }
    return NULL;
}

static bmqtt_view_t vopt(const char *name)
{
    return bmqtt_view_str(opt(name));
}

static uint64_t u64opt(const char *name)
{
    const char *s = opt(name);
    char *end;
    unsigned long long v;
    if (s == NULL) return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *s == '\0' || *s == '-' || *end != '\0') {
        fprintf(stderr, "cloud-cred: bad --%s %s\n", name, s);
        exit(2);
    }
    return v;
}

static int hash_opt(const char *s, int *hash)
{
    if (s == NULL) return 0;
    if (!strcmp(s, "sha256") || !strcmp(s, "hmacsha256")) *hash = BMQTT_CLOUD_SHA256;
    else if (!strcmp(s, "sha1") || !strcmp(s, "hmacsha1")) *hash = BMQTT_CLOUD_SHA1;
    else if (!strcmp(s, "md5") || !strcmp(s, "hmacmd5")) *hash = BMQTT_CLOUD_MD5;
    else return -1;
    return 0;
}

static int report(bmqtt_status_t st, const bmqtt_connect_t *c)
{
    if (st != BMQTT_OK) {
        fprintf(stderr, "cloud-cred: %s: %s (%d)\n", argv_g[1], bmqtt_status_str(st), (int)st);
        return 1;
    }
    printf("clientId: %.*s\n", (int)c->client_id.len, (const char *)c->client_id.ptr);
    printf("username: %.*s\n", (int)c->username.len, (const char *)c->username.ptr);
    printf("password: %.*s\n", (int)c->password.len, (const char *)c->password.ptr);
    return 0;
}

int main(int argc, char **argv)
{
    static char buf[BMQTT_CLOUD_CREDENTIALS_MAX];
    bmqtt_connect_t c;
    const char *cloud;
    int hash = BMQTT_CLOUD_SHA256;

    argc_g = argc;
    argv_g = argv;
    if (argc < 2 || (argc % 2) != 0) {
        fputs(usage, stderr);
        return 2;
    }
    for (int i = 2; i < argc; i += 2) {
        if (strncmp(argv[i], "--", 2) != 0) {
            fprintf(stderr, "cloud-cred: expected --name, got %s\n%s", argv[i], usage);
            return 2;
        }
    }
    if (hash_opt(opt("method"), &hash) != 0) {
        fprintf(stderr, "cloud-cred: unknown --method %s\n", opt("method"));
        return 2;
    }
    memset(&c, 0, sizeof c);
    cloud = argv[1];
    if (!strcmp(cloud, "azure")) {
        bmqtt_azure_device_t d = { vopt("hub"), vopt("device"), vopt("key"), u64opt("expiry") };
        char host[80];
        int rc = report(bmqtt_azure_credentials(&d, buf, sizeof buf, NULL, &c), &c);
        if (rc == 0 && snprintf(host, sizeof host, "%s.azure-devices.net", opt("hub")) < (int)sizeof host)
            printf("host: %s\nport: 8883 (TLS)\n", host);
        return rc;
    }
    if (!strcmp(cloud, "tencent")) {
        bmqtt_tencent_device_t d;
        char host[96];
        int rc;
        memset(&d, 0, sizeof d);
        d.product_id = vopt("pid");
        d.device_name = vopt("dn");
        d.psk = vopt("psk");
        d.connid = vopt("connid");
        d.expiry_s = u64opt("expiry");
        d.sdkappid = (uint32_t)u64opt("sdkappid");
        d.hash = (uint8_t)hash;
        rc = report(bmqtt_tencent_credentials(&d, buf, sizeof buf, NULL, &c), &c);
        if (rc == 0 && bmqtt_tencent_host(d.product_id, host, sizeof host, NULL) == BMQTT_OK) printf("host: %s\n", host);
        return rc;
    }
    if (!strcmp(cloud, "huawei")) {
        bmqtt_huawei_device_t d;
        char hour[11];
        memset(&d, 0, sizeof d);
        d.device_id = vopt("device-id");
        d.secret = vopt("secret");
        d.check_time = (uint8_t)u64opt("check-time");
        if (opt("time") != NULL) {
            bmqtt_status_t st = bmqtt_huawei_hour(u64opt("time"), hour);
            if (st != BMQTT_OK) return report(st, &c);
            d.hour = bmqtt_view_str(hour);
        } else {
            d.hour = vopt("hour");
        }
        return report(bmqtt_huawei_credentials(&d, buf, sizeof buf, NULL, &c), &c);
    }
    if (!strcmp(cloud, "onenet")) {
        bmqtt_onenet_device_t d = { vopt("pid"), vopt("dn"), vopt("key"), u64opt("expiry"), (uint8_t)hash };
        return report(bmqtt_onenet_credentials(&d, buf, sizeof buf, NULL, &c), &c);
    }
    if (!strcmp(cloud, "baidu")) {
        bmqtt_baidu_device_t d = { vopt("core"), vopt("dk"), vopt("secret"), u64opt("ts") };
        return report(bmqtt_baidu_credentials(&d, buf, sizeof buf, NULL, &c), &c);
    }
    if (!strcmp(cloud, "aws")) {
        const char *m = opt("mode") ? opt("mode") : "8883";
        bmqtt_aws_mode_t mode = !strcmp(m, "443") ? BMQTT_AWS_MTLS_443
                                : !strcmp(m, "custom") ? BMQTT_AWS_CUSTOM_AUTH_443 : BMQTT_AWS_MTLS_8883;
        uint16_t port;
        const char *alpn;
        char host[160];
        bmqtt_status_t st = bmqtt_aws_endpoint(mode, &port, &alpn);
        if (st != BMQTT_OK) return report(st, &c);
        printf("port: %u\nalpn: %s\n", (unsigned)port, alpn ? alpn : "(none)");
        if (opt("prefix") != NULL) {
            st = bmqtt_aws_host(vopt("prefix"), vopt("region"), host, sizeof host, NULL);
            if (st != BMQTT_OK) {
                fprintf(stderr, "cloud-cred: aws: %s (%d)\n", bmqtt_status_str(st), (int)st);
                return 1;
            }
            printf("host: %s\n", host);
        }
        printf("keepalive: %u..%u s, QoS <= %u\n", (unsigned)bmqtt_cloud_limits_aws.keepalive_min_s,
               (unsigned)bmqtt_cloud_limits_aws.keepalive_max_s, (unsigned)bmqtt_cloud_limits_aws.max_qos);
        return 0;
    }
    fputs(usage, stderr);
    return 2;
}
