/* include/bmqtt/cloud.h: documented answers (Huawei, Baidu), known answers
 * computed with python (Azure, Tencent, OneNET), the shape of each cloud's
 * fields, size-first output, bad arguments, field and key limits, the limits
 * checks, AWS ports/ALPN, the UTC-hour calendar, and every mbedTLS failure.
 * Random inputs are compared with python in tests/cloud/run.sh (clouds.sh). */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/aliyun.h"
#include "bmqtt/cloud.h"
#include "mbedtls/md.h"
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
    d.core_id = V("a@b");
    assert_int_equal(run(baidu_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.core_id = V("abcd123");
    d.device_key = V("my&device");
    assert_int_equal(run(baidu_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.device_key = V("my|device");
    assert_int_equal(run(baidu_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.device_key = V("");
    assert_int_equal(run(baidu_fn, &d, &c), BMQTT_ERR_PARAM);
    assert_int_equal(run(baidu_fn, NULL, &c), BMQTT_ERR_PARAM);
}

static void test_azure(void **state)
{
    (void)state;
    bmqtt_azure_device_t d = { V("myhub"), V("dev1"), V(key32), 1700000000u };
    bmqtt_connect_t c;
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id, "dev1"));
    assert_true(tv_view_eq_str(c.username, "myhub.azure-devices.net/dev1/?api-version=2021-04-12"));
    /* python: base64(hmac.new(bytes(range(32)), sr + "\n1700000000", sha256)), then quote(safe=""). */
    assert_true(tv_view_eq_str(c.password, "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev1&sig="
                                           "i%2BYmMcSSZc4KzBi6ejz3l0iL%2B2sN0CE3q6vSm837h2g%3D&se=1700000000"));
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

/* The longest key (128 bytes: 172 base64 characters) and a device id with
 * every kind of byte the URL encoding meets: unreserved ones kept, the rest
 * %XX in uppercase. Expected values from python: key bytes (7i + 3) & 255
 * for i in 0..127, base64.b64encode; sr and sig with urllib.parse.quote(safe=""),
 * sig = base64 of hmac.new(key, sr + "\n4102444800", sha256). */
static const char key128[] =
    "AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dzj6vH4/wYNFBsiKTA3PkVMU1phaG92fYSLkpmgp661vMPK0djf5u30+wIJEBce"
    "JSwzOkFIT1ZdZGtyeYCHjpWco6qxuL/GzdTb4unw9/4FDBMaISgvNj1ES1JZYGdudXw=";

static void test_azure_url_and_longest_key(void **state)
{
    (void)state;
    bmqtt_azure_device_t d = { V("myhub"), V("Dev-1.x_y~z!$%'()*,:;=@[]^`{|}"), V(key128), 4102444800u };
    bmqtt_connect_t c;
    assert_int_equal(strlen(key128), 172);
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id, "Dev-1.x_y~z!$%'()*,:;=@[]^`{|}"));
    assert_true(tv_view_eq_str(c.username, "myhub.azure-devices.net/Dev-1.x_y~z!$%'()*,:;=@[]^`{|}/?api-version=2021-04-12"));
    assert_true(tv_view_eq_str(c.password, "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2F"
                                           "Dev-1.x_y~z%21%24%25%27%28%29%2A%2C%3A%3B%3D%40%5B%5D%5E%60%7B%7C%7D"
                                           "&sig=JTg0OB2JAiCQKtNTMG4f%2BTwToxSYFs2NwIZCmk6AD2E%3D&se=4102444800"));
    check_size_first(azure_fn, &d);
}

/* Keys are canonical base64 of 1..128 bytes (cloud.h, BMQTT_CLOUD_FIELD_MAX).
 * Before the fix in bmqtt_cloud_b64_key, mbedTLS 2.28's decoder dropped an
 * incomplete last group and skipped line breaks: "AAECAw" and "AAECA" signed
 * exactly like "AAEC" (3 bytes), a wrong password with BMQTT_OK. */
static void test_b64_keys(void **state)
{
    (void)state;
    static const char *const not_b64[] = {
        "AAECAw", "AAECA", "AAEC\nAwQF", "AAECAwQ ", "AA A", "AA\tA", "AA-A", "AA_A", "AA~A", "AA:A", "AA.A",
        "AA=A",   "====",  "    ",       "AAEC\r\n",
    };
    char buf[BMQTT_CLOUD_CREDENTIALS_MAX], k176[177];
    bmqtt_azure_device_t d = { V("myhub"), V("dev1"), V(key32), 1700000000u };
    bmqtt_connect_t c;
    size_t n = 99;

    for (size_t i = 0; i < sizeof not_b64 / sizeof not_b64[0]; i++) {
        d.key = V(not_b64[i]);
        memset(buf, 0xAA, sizeof buf);
        memset(&c, 0, sizeof c);
        assert_int_equal(azure_fn(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_CRYPTO);
        assert_int_equal(n, 99); /* nothing reported, nothing written */
        for (size_t k = 0; k < sizeof buf; k++) assert_int_equal((uint8_t)buf[k], 0xAA);
        assert_null(c.password.ptr);
    }
    /* One to three bytes, padded: the shortest keys there are. */
    d.key = V("AA==");
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_OK);
    d.key = V("AAE=");
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_OK);
    d.key = V("AAEC");
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_OK);
    /* 172 characters: 128 bytes fit (above), 129 do not; 176 characters are refused unread. */
    d.key = V(key129);
    assert_int_equal(strlen(key129), 172);
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    memset(k176, 0, sizeof k176);
    memset(k176, 'A', 176);
    d.key = V(k176);
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.key = (bmqtt_view_t){ NULL, 4 };
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_ERR_PARAM);
    d.key = V(NULL);
    assert_int_equal(run(azure_fn, &d, &c), BMQTT_ERR_PARAM);

    /* The same rule for the other two clouds with keys. */
    bmqtt_tencent_device_t t = { V("ABCDEF1234"), V("dev1"), V("AAECAw"), V("a1B2c"), 1700000000u, 0, 0 };
    assert_int_equal(run(tencent_fn, &t, &c), BMQTT_ERR_CLOUD_CRYPTO);
    bmqtt_onenet_device_t o = { V("123456"), V("dev1"), V("AAECAw"), 1700000000u, BMQTT_CLOUD_SHA256 };
    assert_int_equal(run(onenet_fn, &o, &c), BMQTT_ERR_CLOUD_CRYPTO);
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
    /* python: hmac.new(bytes(range(32)), username, sha256 / sha1).hexdigest() */
    assert_true(tv_view_eq_str(c.password, "2651d43fbe74baf4cc55134aa5c12134465901fff6347e1959c5cab58dee4abd;hmacsha256"));
    d.hash = BMQTT_CLOUD_SHA1;
    d.sdkappid = 42;
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.password, "a1d1d44824ece59c0454b3416be378d860844b88;hmacsha1"));
    assert_true(tv_view_eq_str(c.username, "ABCDEF1234dev1;42;a1B2c;1700000000"));
    check_size_first(tencent_fn, &d);

    char host[64];
    assert_int_equal(bmqtt_tencent_host(d.product_id, host, sizeof host, NULL), BMQTT_OK);
    assert_string_equal(host, "ABCDEF1234.iotcloud.tencentdevices.com");
    assert_int_equal(bmqtt_tencent_host(V("AB-CD"), host, sizeof host, NULL), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_tencent_host(V("AB~CD"), host, sizeof host, NULL), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_tencent_host(V(""), host, sizeof host, NULL), BMQTT_ERR_PARAM);
    /* 38 characters: 38 bytes are one short (untouched), 39 fit. */
    size_t hn = 0;
    assert_int_equal(bmqtt_tencent_host(d.product_id, NULL, 0, &hn), BMQTT_OK);
    assert_int_equal(hn, 38);
    memset(host, 0x55, sizeof host);
    assert_int_equal(bmqtt_tencent_host(d.product_id, host, 38, &hn), BMQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal((uint8_t)host[0], 0x55);
    assert_int_equal((uint8_t)host[37], 0x55);
    assert_int_equal(bmqtt_tencent_host(d.product_id, host, 39, NULL), BMQTT_OK);
    assert_string_equal(host, "ABCDEF1234.iotcloud.tencentdevices.com");

    d.hash = BMQTT_CLOUD_MD5;
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_PARAM);
    d.hash = BMQTT_CLOUD_SHA256;
    d.connid = V("a1B2");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.connid = V("a1B2c3");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.connid = V("a1-2c");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.connid = V("a1~2c");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.connid = V("a1B2c");
    d.device_name = V("dev;1");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.device_name = V("dev1");

    /* ProductId: 1..32 letters and digits. */
    char pid[34];
    memset(pid, 0, sizeof pid);
    memset(pid, 'P', 33);
    d.product_id = V(pid);
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.product_id.len = 32;
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_OK);
    d.product_id = V("");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_PARAM);
    d.product_id = V("ABCDEF1234");
    d.psk = V("");
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_PARAM);
    d.psk = V(key32);
    d.expiry_s = 0;
    assert_int_equal(run(tencent_fn, &d, &c), BMQTT_ERR_PARAM);
    assert_int_equal(run(tencent_fn, NULL, &c), BMQTT_ERR_PARAM);
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
    d.secret = V("s");
    d.hour = V("20250414/1"); /* the byte before '0' */
    assert_int_equal(run(huawei_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.hour = V("20250414011");
    assert_int_equal(run(huawei_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.hour = V("");
    assert_int_equal(run(huawei_fn, &d, &c), BMQTT_ERR_PARAM);
    d.hour = V("2025041401");
    d.device_id = V("");
    assert_int_equal(run(huawei_fn, &d, &c), BMQTT_ERR_PARAM);
    assert_int_equal(run(huawei_fn, NULL, &c), BMQTT_ERR_PARAM);
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
    /* python: quote(base64(hmac.new(bytes(range(32)),
     * "1700000000\n<m>\nproducts/<pid>/devices/<dev>\n2018-10-31", <m>)), safe=""). */
    assert_true(tv_view_eq_str(c.password, "version=2018-10-31&res=products%2F123456%2Fdevices%2Fdev1&et=1700000000"
                                           "&method=sha1&sign=pCQngKJ5DJOEcZSR6SlqG%2F369gQ%3D"));
    check_size_first(onenet_fn, &d);
    d.hash = BMQTT_CLOUD_SHA256;
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.password, "version=2018-10-31&res=products%2F123456%2Fdevices%2Fdev1&et=1700000000"
                                           "&method=sha256&sign=xVuDGYXEVJUQWErU8KmSd%2BXNuEksesv2DtcBzW6nv7I%3D"));
    /* Bytes outside the unreserved set in res: signed as they are, sent URL-encoded. */
    d.hash = BMQTT_CLOUD_MD5;
    d.product_id = V("p~1:x");
    d.device_name = V("d@v[1]");
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id, "d@v[1]"));
    assert_true(tv_view_eq_str(c.username, "p~1:x"));
    assert_true(tv_view_eq_str(c.password, "version=2018-10-31&res=products%2Fp~1%3Ax%2Fdevices%2Fd%40v%5B1%5D"
                                           "&et=1700000000&method=md5&sign=oAwHsTgcUty7qxwJ9BKlqQ%3D%3D"));
    d.hash = 3;
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_ERR_PARAM);
    d.hash = BMQTT_CLOUD_MD5;
    d.device_name = V("a/b");
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.device_name = V("dev1");
    d.product_id = V("1/2");
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_ERR_CLOUD_FIELD);
    d.product_id = V("");
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_ERR_PARAM);
    d.product_id = V("123456");
    d.key = V("not base64!");
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_ERR_CLOUD_CRYPTO);
    d.key = V(key32);
    d.expiry_s = 0;
    assert_int_equal(run(onenet_fn, &d, &c), BMQTT_ERR_PARAM);
    assert_int_equal(run(onenet_fn, NULL, &c), BMQTT_ERR_PARAM);
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
    assert_int_equal(bmqtt_cloud_check_subscribe(NULL, &s, 1), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_cloud_check_subscribe(&mine, NULL, 1), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_cloud_check_subscribe(&mine, NULL, 0), BMQTT_OK);
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
    assert_int_equal(bmqtt_aws_endpoint(BMQTT_AWS_MTLS_8883, &port, NULL), BMQTT_ERR_PARAM);

    /* Labels: letters of either case, digits and '-', 1..63 of them. */
    assert_int_equal(bmqtt_aws_host(V("A1B2-xyz"), V("US-EAST-1"), h, sizeof h, &n), BMQTT_OK);
    assert_string_equal(h, "A1B2-xyz.iot.US-EAST-1.amazonaws.com");
    static const char *const bad[] = { "a_b", "a~b", "a:b", "a b", "a\x80" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bmqtt_aws_host(V(bad[i]), V("eu-west-1"), h, sizeof h, &n), BMQTT_ERR_CLOUD_FIELD);
        assert_int_equal(bmqtt_aws_host(V("a"), V(bad[i]), h, sizeof h, &n), BMQTT_ERR_CLOUD_FIELD);
    }
    char label[65];
    memset(label, 0, sizeof label);
    memset(label, 'p', 64);
    assert_int_equal(bmqtt_aws_host(V(label), V("r"), NULL, 0, &n), BMQTT_ERR_CLOUD_FIELD);
    label[63] = 0;
    assert_int_equal(bmqtt_aws_host(V(label), V("r"), NULL, 0, &n), BMQTT_OK);
    assert_int_equal(n, 63 + strlen(".iot.r.amazonaws.com"));
    /* Size first: nowhere to report is a bad argument; cap 0 is too small. */
    assert_int_equal(bmqtt_aws_host(V("a"), V("r"), NULL, 0, NULL), BMQTT_ERR_PARAM);
    memset(h, 0x55, sizeof h);
    assert_int_equal(bmqtt_aws_host(V("a"), V("r"), h, 0, &n), BMQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, strlen("a.iot.r.amazonaws.com"));
    assert_int_equal((uint8_t)h[0], 0x55);
}

/* ------------------------------------------------------------------------ */
/* mbedTLS failing                                                          */
/* ------------------------------------------------------------------------ */

/* A firmware's mbedTLS fails where Debian's does not: a hash left out of its
 * config, the md context's calloc pool used up, a hardware hash engine
 * reporting an error. These definitions stand in for libmbedcrypto's in this
 * binary (the executable's symbols come first) and pass every call on to the
 * library's own (dlsym RTLD_NEXT) unless fail_at names them. */
typedef enum fail_point {
    FAIL_NONE,
    FAIL_INFO,
    FAIL_SETUP,
    FAIL_HMAC_STARTS,
    FAIL_HMAC_UPDATE,
    FAIL_HMAC_FINISH,
    FAIL_STARTS,
    FAIL_UPDATE,
    FAIL_FINISH
} fail_point_t;
static fail_point_t fail_at;

#define REAL(fn, name)                                 \
    do {                                               \
        void *p_ = dlsym(RTLD_NEXT, name);             \
        if (p_ == NULL) abort();                       \
        memcpy(&(fn), &p_, sizeof(fn));                \
    } while (0)

const mbedtls_md_info_t *mbedtls_md_info_from_type(mbedtls_md_type_t md_type)
{
    const mbedtls_md_info_t *(*fn)(mbedtls_md_type_t);
    if (fail_at == FAIL_INFO) return NULL;
    REAL(fn, "mbedtls_md_info_from_type");
    return fn(md_type);
}

int mbedtls_md_setup(mbedtls_md_context_t *ctx, const mbedtls_md_info_t *md_info, int hmac)
{
    int (*fn)(mbedtls_md_context_t *, const mbedtls_md_info_t *, int);
    if (fail_at == FAIL_SETUP) return MBEDTLS_ERR_MD_ALLOC_FAILED;
    REAL(fn, "mbedtls_md_setup");
    return fn(ctx, md_info, hmac);
}

int mbedtls_md_hmac_starts(mbedtls_md_context_t *ctx, const unsigned char *key, size_t keylen)
{
    int (*fn)(mbedtls_md_context_t *, const unsigned char *, size_t);
    if (fail_at == FAIL_HMAC_STARTS) return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
    REAL(fn, "mbedtls_md_hmac_starts");
    return fn(ctx, key, keylen);
}

int mbedtls_md_hmac_update(mbedtls_md_context_t *ctx, const unsigned char *input, size_t ilen)
{
    int (*fn)(mbedtls_md_context_t *, const unsigned char *, size_t);
    if (fail_at == FAIL_HMAC_UPDATE) return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
    REAL(fn, "mbedtls_md_hmac_update");
    return fn(ctx, input, ilen);
}

int mbedtls_md_hmac_finish(mbedtls_md_context_t *ctx, unsigned char *output)
{
    int (*fn)(mbedtls_md_context_t *, unsigned char *);
    if (fail_at == FAIL_HMAC_FINISH) return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
    REAL(fn, "mbedtls_md_hmac_finish");
    return fn(ctx, output);
}

int mbedtls_md_starts(mbedtls_md_context_t *ctx)
{
    int (*fn)(mbedtls_md_context_t *);
    if (fail_at == FAIL_STARTS) return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
    REAL(fn, "mbedtls_md_starts");
    return fn(ctx);
}

int mbedtls_md_update(mbedtls_md_context_t *ctx, const unsigned char *input, size_t ilen)
{
    int (*fn)(mbedtls_md_context_t *, const unsigned char *, size_t);
    if (fail_at == FAIL_UPDATE) return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
    REAL(fn, "mbedtls_md_update");
    return fn(ctx, input, ilen);
}

int mbedtls_md_finish(mbedtls_md_context_t *ctx, unsigned char *output)
{
    int (*fn)(mbedtls_md_context_t *, unsigned char *);
    if (fail_at == FAIL_FINISH) return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
    REAL(fn, "mbedtls_md_finish");
    return fn(ctx, output);
}

static int fail_none(void **state)
{
    (void)state;
    fail_at = FAIL_NONE;
    return 0;
}

static bmqtt_status_t aliyun_fn(const void *d, char *b, size_t cap, size_t *len, bmqtt_connect_t *o)
{
    return bmqtt_aliyun_credentials((const bmqtt_aliyun_device_t *)d, b, cap, len, o);
}

/* Every credentials call, whichever mbedTLS step fails: BMQTT_ERR_CLOUD_CRYPTO
 * (cloud.h: "a hash not in this mbedTLS build"), never a password, with the
 * buffer, the views and *len left as they were; the size query fails too. */
static void test_mbedtls_failures(void **state)
{
    (void)state;
    static const fail_point_t hmac_steps[] = { FAIL_INFO, FAIL_SETUP, FAIL_HMAC_STARTS, FAIL_HMAC_UPDATE,
                                               FAIL_HMAC_FINISH };
    static const fail_point_t hash_steps[] = { FAIL_INFO, FAIL_SETUP, FAIL_STARTS, FAIL_UPDATE, FAIL_FINISH };
    bmqtt_aliyun_device_t al;
    memset(&al, 0, sizeof al);
    al.product_key = V("a1wFylTxYeD");
    al.device_name = V("co_0001");
    al.device_secret = V("7ab0c4b3532b5783df5fdc58a2895d7a");
    al.securemode = BMQTT_ALIYUN_SECUREMODE_TCP;
    al.signmethod = BMQTT_ALIYUN_HMACSHA1;
    bmqtt_azure_device_t az = { V("myhub"), V("dev1"), V(key32), 1700000000u };
    bmqtt_tencent_device_t tc = { V("ABCDEF1234"), V("dev1"), V(key32), V("a1B2c"), 1700000000u, 0, 0 };
    bmqtt_huawei_device_t hw = { V("5e7c_dev1"), V("12345678"), V("2025041401"), 1 };
    bmqtt_onenet_device_t on = { V("123456"), V("dev1"), V(key32), 1700000000u, BMQTT_CLOUD_MD5 };
    bmqtt_baidu_device_t bd = { V("abcd123"), V("mydevice"), V("ImSeCrEt0I1M2jkl"), 1583826857u };
    const struct {
        creds_fn fn;
        const void *dev;
        const fail_point_t *steps;
    } rows[] = {
        { aliyun_fn, &al, hmac_steps }, { azure_fn, &az, hmac_steps }, { tencent_fn, &tc, hmac_steps },
        { huawei_fn, &hw, hmac_steps }, { onenet_fn, &on, hmac_steps }, { baidu_fn, &bd, hash_steps },
    };
    char buf[BMQTT_CLOUD_CREDENTIALS_MAX];
    bmqtt_connect_t c, untouched;
    size_t n;

    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        for (size_t k = 0; k < 5; k++) {
            fail_at = rows[r].steps[k];
            memset(buf, 0xAA, sizeof buf);
            memset(&c, 0x5A, sizeof c);
            untouched = c;
            n = 7;
            assert_int_equal(rows[r].fn(rows[r].dev, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_CRYPTO);
            assert_int_equal(n, 7);
            for (size_t i = 0; i < sizeof buf; i++) assert_int_equal((uint8_t)buf[i], 0xAA);
            assert_memory_equal(&c, &untouched, sizeof c);
            assert_int_equal(rows[r].fn(rows[r].dev, NULL, 0, &n, NULL), BMQTT_ERR_CLOUD_CRYPTO);
            assert_int_equal(n, 7);
            fail_at = FAIL_NONE;
            assert_int_equal(rows[r].fn(rows[r].dev, buf, sizeof buf, &n, &c), BMQTT_OK);
        }
    }
    /* The walk-through's password again once mbedTLS works: nothing stuck from the failures. */
    assert_int_equal(run(aliyun_fn, &al, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.password, "e782b5e55b37655c27812a60c307b0a7575d8f6d"));
}

int main(void)
{
    make_long_key();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huawei_documented),
        cmocka_unit_test(test_baidu_documented),
        cmocka_unit_test(test_azure),
        cmocka_unit_test(test_azure_url_and_longest_key),
        cmocka_unit_test(test_b64_keys),
        cmocka_unit_test(test_tencent),
        cmocka_unit_test(test_huawei_bad),
        cmocka_unit_test(test_huawei_hour),
        cmocka_unit_test(test_onenet),
        cmocka_unit_test(test_field_limits_and_max),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_aws),
        cmocka_unit_test_teardown(test_mbedtls_failures, fail_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
