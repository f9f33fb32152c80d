/* include/bmqtt/cloud.h: documented answers (Huawei, Baidu), the shape of
 * each cloud's fields, size-first output, bad arguments, field limits, the
 * limits checks, AWS ports/ALPN and the UTC-hour calendar. Random inputs are
 * compared with python in tests/cloud/run.sh (clouds.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/cloud.h"
#include "vectors.h"

#define V(s) bmqtt_view_str(s)

/* base64 of 32 bytes 0x00..0x1F, and of 129 bytes (over the key limit). */
static const char key32[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
static char key129[180];

static void make_long_key(void)
{
    /* 129 zero bytes: 43 groups of "AAAA" (3 bytes each). */
    memset(key129, 0, sizeof key129);
    for (int i = 0; i < 43; i++) memcpy(key129 + 4 * i, "AAAA", 4);
}

/* Size-first contract of a credentials call: size query, one byte short
 * (nothing written), exact fit. */
typedef bmqtt_status_t (*creds_fn)(const void *dev, char *buf, size_t cap, size_t *len, bmqtt_connect_t *out);

static void check_size_first(creds_fn fn, const void *dev)
{
    char buf[BMQTT_CLOUD_CREDENTIALS_MAX];
    bmqtt_connect_t c;
    size_t need = 0, n = 0;
    memset(&c, 0, sizeof c);
    assert_int_equal(fn(dev, NULL, 0, &need, NULL), BMQTT_OK);
    assert_true(need > 3 && need <= sizeof buf);
    memset(buf, 0xAA, sizeof buf);
    assert_int_equal(fn(dev, buf, need - 1, &n, &c), BMQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, need);
    for (size_t i = 0; i < sizeof buf; i++) assert_int_equal((uint8_t)buf[i], 0xAA);
    assert_null(c.client_id.ptr);
    assert_int_equal(fn(dev, buf, need, &n, &c), BMQTT_OK);
    assert_int_equal(n, need);
    assert_int_equal(c.client_id.len + c.username.len + c.password.len + 3, need);
    assert_int_equal(fn(dev, buf, need, NULL, NULL), BMQTT_ERR_PARAM); /* views needed */
    assert_int_equal(fn(dev, NULL, 0, NULL, NULL), BMQTT_ERR_PARAM);   /* nowhere to report */
}

static bmqtt_status_t azure_fn(const void *d, char *b, size_t cap, size_t *len, bmqtt_connect_t *o)
{
    return bmqtt_azure_credentials((const bmqtt_azure_device_t *)d, b, cap, len, o);
}
static bmqtt_status_t tencent_fn(const void *d, char *b, size_t cap, size_t *len, bmqtt_connect_t *o)
{
    return bmqtt_tencent_credentials((const bmqtt_tencent_device_t *)d, b, cap, len, o);
}
static bmqtt_status_t huawei_fn(const void *d, char *b, size_t cap, size_t *len, bmqtt_connect_t *o)
{
    return bmqtt_huawei_credentials((const bmqtt_huawei_device_t *)d, b, cap, len, o);
}
static bmqtt_status_t onenet_fn(const void *d, char *b, size_t cap, size_t *len, bmqtt_connect_t *o)
{
    return bmqtt_onenet_credentials((const bmqtt_onenet_device_t *)d, b, cap, len, o);
}
static bmqtt_status_t baidu_fn(const void *d, char *b, size_t cap, size_t *len, bmqtt_connect_t *o)
{
    return bmqtt_baidu_credentials((const bmqtt_baidu_device_t *)d, b, cap, len, o);
}

static bmqtt_status_t run(creds_fn fn, const void *dev, bmqtt_connect_t *c)
{
    static char buf[BMQTT_CLOUD_CREDENTIALS_MAX];
    memset(c, 0, sizeof *c);
    return fn(dev, buf, sizeof buf, NULL, c);
}

static void test_huawei_documented(void **state)
{
    (void)state;
    bmqtt_huawei_device_t d = { V("5e7c_dev1"), V("12345678"), V("2025041401"), 1 };
    bmqtt_connect_t c;
    assert_int_equal(run(huawei_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.password, "c75150e6cb841417396819e4d2ee4358a416344a03a083e3a8567074ddec820a"));
    assert_true(tv_view_eq_str(c.client_id, "5e7c_dev1_0_1_2025041401"));
    assert_true(tv_view_eq_str(c.username, "5e7c_dev1"));
    check_size_first(huawei_fn, &d);
}

static void test_baidu_documented(void **state)
{
    (void)state;
    bmqtt_baidu_device_t d = { V("abcd123"), V("mydevice"), V("ImSeCrEt0I1M2jkl"), 1583826857u };
    bmqtt_connect_t c;
    assert_int_equal(run(baidu_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.password, "7f0e63d2c6e122100edde19e34e7df5b"));
    assert_true(tv_view_eq_str(c.username, "thingidp@abcd123|mydevice|1583826857|MD5"));
    d.timestamp_s = 0;
    assert_int_equal(run(baidu_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.password, "22bc75231495220c7a2202fe15f7d286"));
    assert_true(tv_view_eq_str(c.username, "thingidp@abcd123|mydevice|0|MD5"));
    check_size_first(baidu_fn, &d);
    d.core_id = V("a|b");
    assert_int_equal(run(baidu_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
}

static int starts(bmqtt_view_t v, const char *s)
{
    return v.len >= strlen(s) && memcmp(v.ptr, s, strlen(s)) == 0;
}
static int ends(bmqtt_view_t v, const char *s)
{
    return v.len >= strlen(s) && memcmp(v.ptr + v.len - strlen(s), s, strlen(s)) == 0;
}

static void test_azure(void **state)
{
    (void)state;
    bmqtt_azure_device_t d = { V("myhub"), V("dev1"), V(key32), 1700000000u };
    bmqtt_connect_t c;
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id, "dev1"));
    assert_true(tv_view_eq_str(c.username, "myhub.azure-devices.net/dev1/?api-version=2021-04-12"));
    assert_true(starts(c.password, "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev1&sig="));
    assert_true(ends(c.password, "&se=1700000000"));
    check_size_first(azure_fn, &d);

    d.key = V("not base64!");
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_ERR_CLOUD_CRYPTO);
    d.key = V(key129);
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.key = V("");
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_ERR_PARAM);
    d.key = V(key32);
    d.expiry_s = 0;
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_ERR_PARAM);
    d.expiry_s = 1;
    d.hub = V("my.hub");
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.hub = V("myhub");
    d.device_id = V("a/b");
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(run(azure_fn, NULL, &c), BMQTT_ERR_PARAM);
}

static void test_tencent(void **state)
{
    (void)state;
    bmqtt_tencent_device_t d;
    bmqtt_connect_t c;
    memset(&d, 0, sizeof d);
    d.product_id = V("ABCDEF1234");
    d.device_name = V("dev1");
    d.psk = V(key32);
    d.connid = V("a1B2c");
    d.expiry_s = 1700000000u;
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id, "ABCDEF1234dev1"));
    assert_true(tv_view_eq_str(c.username, "ABCDEF1234dev1;12010126;a1B2c;1700000000"));
    assert_int_equal(c.password.len, 64 + strlen(";hmacsha256"));
    assert_true(ends(c.password, ";hmacsha256"));
    d.hash = BMQTT_CLOUD_SHA1;
    d.sdkappid = 42;
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_OK);
    assert_int_equal(c.password.len, 40 + strlen(";hmacsha1"));
    assert_true(tv_view_eq_str(c.username, "ABCDEF1234dev1;42;a1B2c;1700000000"));
    check_size_first(tencent_fn, &d);

    char host[64];
    assert_int_equal(bmqtt_tencent_host(d.product_id, host, sizeof host, NULL), BMQTT_OK);
    assert_string_equal(host, "ABCDEF1234.iotcloud.tencentdevices.com");
    assert_int_equal(bmqtt_tencent_host(V("AB-CD"), host, sizeof host, NULL), BMQTT_ERR_CLOUD_FIELD);

    d.hash = BMQTT_CLOUD_MD5;
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_PARAM);
    d.hash = BMQTT_CLOUD_SHA256;
    d.connid = V("a1B2");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.connid = V("a1B2c3");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.connid = V("a1-2c");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.connid = V("a1B2c");
    d.device_name = V("dev;1");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
}

static void test_huawei_bad(void **state)
{
    (void)state;
    bmqtt_huawei_device_t d = { V("dev"), V("s"), V("2025041401"), 0 };
    bmqtt_connect_t c;
    assert_int_equal(run(huawei_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id, "dev_0_0_2025041401"));
    d.hour = V("202504140");
    assert_int_equal(run(huawei_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.hour = V("20250414x1");
    assert_int_equal(run(huawei_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.hour = V("2025041401");
    d.check_time = 2;
    assert_int_equal(run(huawei_fn, &d, &c), BMQTT_ERR_PARAM);
    d.check_time = 0;
    d.secret = V("");
    assert_int_equal(run(huawei_fn, &d, &c), BMQTT_ERR_PARAM);
}

static void test_huawei_hour(void **state)
{
    (void)state;
    static const struct {
        uint64_t t;
        const char *want;
    } rows[] = {
        { 0u, "1970010100" },            { 3599u, "1970010100" },          { 3600u, "1970010101" },
        { 951782400u, "2000022900" },    { 951868799u, "2000022923" },     { 951868800u, "2000030100" },
        { 1744592400u, "2025041401" },   { 4107542399u, "2100022823" },    { 4107542400u, "2100030100" },
        { 253402297199u, "9999123122" }, { 253402300799u, "9999123123" },
    };
    char h[11];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_int_equal(bmqtt_huawei_hour(rows[i].t, h), BMQTT_OK);
        assert_string_equal(h, rows[i].want);
    }
    assert_int_equal(bmqtt_huawei_hour(253402300800u, h), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_huawei_hour(UINT64_MAX, h), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_huawei_hour(0, NULL), BMQTT_ERR_PARAM);
}

static void test_onenet(void **state)
{
    (void)state;
    bmqtt_onenet_device_t d = { V("123456"), V("dev1"), V(key32), 1700000000u, BMQTT_CLOUD_SHA1 };
    bmqtt_connect_t c;
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id, "dev1"));
    assert_true(tv_view_eq_str(c.username, "123456"));
    assert_true(starts(c.password, "version=2018-10-31&res=products%2F123456%2Fdevices%2Fdev1&et=1700000000&method=sha1&sign="));
    check_size_first(onenet_fn, &d);
    d.hash = 3;
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_ERR_PARAM);
    d.hash = BMQTT_CLOUD_MD5;
    d.device_name = V("a/b");
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
}

/* Fields over BMQTT_CLOUD_FIELD_MAX, and 64-byte fields and keys fitting
 * BMQTT_CLOUD_CREDENTIALS_MAX. */
static void test_field_limits_and_max(void **state)
{
    (void)state;
    char big[BMQTT_CLOUD_FIELD_MAX + 2], s64[65], k64[90];
    size_t need;
    bmqtt_connect_t c;
    memset(big, 'f', sizeof big - 1);
    big[sizeof big - 1] = 0;
    memset(s64, 'x', 64);
    s64[64] = 0;
    memset(k64, 0, sizeof k64);
    for (int i = 0; i < 21; i++) memcpy(k64 + 4 * i, "////", 4);
    memcpy(k64 + 84, "//8=", 4); /* 64 bytes of 0xFF */

    bmqtt_azure_device_t az = { V(big), V("d"), V(key32), 1 };
    assert_int_equal(run(azure_fn, &az, &c), BMQTT_ERR_CLOUD_FIELD);
    az.hub = V("h");
    az.device_id = V(big);
    assert_int_equal(run(azure_fn, &az, &c), BMQTT_ERR_CLOUD_FIELD);
    bmqtt_huawei_device_t hw = { V(big), V("s"), V("2025041401"), 0 };
    assert_int_equal(run(huawei_fn, &hw, &c), BMQTT_ERR_CLOUD_FIELD);
    bmqtt_baidu_device_t bd = { V("c"), V("k"), V(big), 0 };
    assert_int_equal(run(baidu_fn, &bd, &c), BMQTT_ERR_CLOUD_FIELD);

    bmqtt_azure_device_t az2 = { { (const uint8_t *)s64, 63 }, V(s64), V(k64), UINT64_MAX };
    assert_int_equal(azure_fn(&az2, NULL, 0, &need, NULL), BMQTT_OK);
    assert_true(need <= BMQTT_CLOUD_CREDENTIALS_MAX);
    bmqtt_tencent_device_t tc = { { (const uint8_t *)s64, 32 }, V(s64), V(k64), V("abcde"), UINT64_MAX, UINT32_MAX, 0 };
    assert_int_equal(tencent_fn(&tc, NULL, 0, &need, NULL), BMQTT_OK);
    assert_true(need <= BMQTT_CLOUD_CREDENTIALS_MAX);
    bmqtt_huawei_device_t hw2 = { V(s64), V(s64), V("2025041401"), 1 };
    assert_int_equal(huawei_fn(&hw2, NULL, 0, &need, NULL), BMQTT_OK);
    assert_true(need <= BMQTT_CLOUD_CREDENTIALS_MAX);
    bmqtt_onenet_device_t on = { V(s64), V(s64), V(k64), UINT64_MAX, BMQTT_CLOUD_SHA256 };
    assert_int_equal(onenet_fn(&on, NULL, 0, &need, NULL), BMQTT_OK);
    assert_true(need <= BMQTT_CLOUD_CREDENTIALS_MAX);
    bmqtt_baidu_device_t bd2 = { V(s64), V(s64), V(s64), UINT64_MAX };
    assert_int_equal(baidu_fn(&bd2, NULL, 0, &need, NULL), BMQTT_OK);
    assert_true(need <= BMQTT_CLOUD_CREDENTIALS_MAX);
}

static void test_limits(void **state)
{
    (void)state;
    bmqtt_connect_t c;
    memset(&c, 0, sizeof c);
    c.keepalive_s = 29;
    assert_int_equal(bmqtt_cloud_check_connect(&bmqtt_cloud_limits_aws, &c), BMQTT_ERR_CLOUD_KEEPALIVE);
    c.keepalive_s = 1201;
    assert_int_equal(bmqtt_cloud_check_connect(&bmqtt_cloud_limits_aws, &c), BMQTT_ERR_CLOUD_KEEPALIVE);
    c.keepalive_s = 60;
    c.will_topic = V("w");
    c.will_retain = 1;
    c.will_qos = 1;
    assert_int_equal(bmqtt_cloud_check_connect(&bmqtt_cloud_limits_aws, &c), BMQTT_OK);
    assert_int_equal(bmqtt_cloud_check_connect(&bmqtt_cloud_limits_aliyun, &c), BMQTT_ERR_CLOUD_WILL);
    c.will_qos = 2;
    assert_int_equal(bmqtt_cloud_check_connect(&bmqtt_cloud_limits_aws, &c), BMQTT_ERR_CLOUD_QOS);
    bmqtt_cloud_limits_t mine = { 0, 0, 2, 1, 0 }; /* no keepalive bounds, no retain */
    c.keepalive_s = 0;
    assert_int_equal(bmqtt_cloud_check_connect(&mine, &c), BMQTT_ERR_CLOUD_RETAIN);
    c.will_retain = 0;
    assert_int_equal(bmqtt_cloud_check_connect(&mine, &c), BMQTT_OK);
    c.keepalive_s = 65535;
    assert_int_equal(bmqtt_cloud_check_connect(&mine, &c), BMQTT_OK);
    assert_int_equal(bmqtt_cloud_check_connect(NULL, &c), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_cloud_check_connect(&mine, NULL), BMQTT_ERR_PARAM);

    bmqtt_publish_t p;
    memset(&p, 0, sizeof p);
    p.qos = 2;
    assert_int_equal(bmqtt_cloud_check_publish(&bmqtt_cloud_limits_aws, &p), BMQTT_ERR_CLOUD_QOS);
    assert_int_equal(bmqtt_cloud_check_publish(&mine, &p), BMQTT_OK);
    p.qos = 1;
    p.retain = 1;
    assert_int_equal(bmqtt_cloud_check_publish(&bmqtt_cloud_limits_aws, &p), BMQTT_OK);
    assert_int_equal(bmqtt_cloud_check_publish(&mine, &p), BMQTT_ERR_CLOUD_RETAIN);
    assert_int_equal(bmqtt_cloud_check_publish(NULL, &p), BMQTT_ERR_PARAM);

    bmqtt_subscription_t s = { V("a/#"), 2 };
    assert_int_equal(bmqtt_cloud_check_subscribe(&bmqtt_cloud_limits_aws, &s, 1), BMQTT_ERR_CLOUD_QOS);
    assert_int_equal(bmqtt_cloud_check_subscribe(&mine, &s, 1), BMQTT_OK);
}

static void test_aws(void **state)
{
    (void)state;
    uint16_t port;
    const char *alpn;
    char h[128];
    size_t n;
    assert_int_equal(bmqtt_aws_endpoint(BMQTT_AWS_MTLS_8883, &port, &alpn), BMQTT_OK);
    assert_int_equal(port, 8883);
    assert_null(alpn);
    assert_int_equal(bmqtt_aws_endpoint(BMQTT_AWS_MTLS_443, &port, &alpn), BMQTT_OK);
    assert_int_equal(port, 443);
    assert_string_equal(alpn, "x-amzn-mqtt-ca");
    assert_int_equal(bmqtt_aws_endpoint(BMQTT_AWS_CUSTOM_AUTH_443, &port, &alpn), BMQTT_OK);
    assert_int_equal(port, 443);
    assert_string_equal(alpn, "mqtt");
    assert_int_equal(bmqtt_aws_endpoint((bmqtt_aws_mode_t)3, &port, &alpn), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aws_endpoint(BMQTT_AWS_MTLS_8883, NULL, &alpn), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aws_host(V("a1b2c3d4e5f6g7-ats"), V("eu-west-1"), h, sizeof h, &n), BMQTT_OK);
    assert_string_equal(h, "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com");
    assert_int_equal(n, strlen(h));
    assert_int_equal(bmqtt_aws_host(V("a1b2c3d4e5f6g7-ats"), V("eu-west-1"), h, n, &n), BMQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(bmqtt_aws_host(V("a.b"), V("eu-west-1"), h, sizeof h, &n), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_aws_host(V("a"), V(NULL), h, sizeof h, &n), BMQTT_ERR_PARAM);
}

int main(void)
{
    make_long_key();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huawei_documented),
        cmocka_unit_test(test_baidu_documented),
        cmocka_unit_test(test_azure),
        cmocka_unit_test(test_tencent),
        cmocka_unit_test(test_huawei_bad),
        cmocka_unit_test(test_huawei_hour),
        cmocka_unit_test(test_onenet),
        cmocka_unit_test(test_field_limits_and_max),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_aws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
