/* include/bmqtt/aliyun.h: the walk-through's device (password and CONNECT bytes),
 * Aliyun's documented HMAC example, size-first output, bad arguments, field
 * limits, topics, Alink JSON, the platform's limits and the /ext/register
 * reply. Values for other inputs are checked against openssl/python in
 * tests/cloud/run.sh, never against bmqtt's own output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "bmqtt/aliyun.h"
#include "vectors.h"

#define V(s) bmqtt_view_str(s)

/* The device of Aliyun's MQTT walk-through. */
static bmqtt_aliyun_device_t walkthrough_dev(void)
{
    bmqtt_aliyun_device_t d;
    memset(&d, 0, sizeof d);
    d.product_key = V("a1wFylTxYeD");
    d.device_name = V("co_0001");
    d.device_secret = V("7ab0c4b3532b5783df5fdc58a2895d7a");
    d.securemode = BMQTT_ALIYUN_SECUREMODE_TCP;
    d.signmethod = BMQTT_ALIYUN_HMACSHA1;
    return d;
}

static void test_walkthrough_credentials(void **state)
{
    (void)state;
    bmqtt_aliyun_device_t d = walkthrough_dev();
    char buf[BMQTT_ALIYUN_CREDENTIALS_MAX];
    bmqtt_connect_t c;
    size_t n = 0;
    memset(&c, 0, sizeof c);
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id, "co_0001|securemode=3,signmethod=hmacsha1|"));
    assert_true(tv_view_eq_str(c.username, "co_0001&a1wFylTxYeD"));
    assert_true(tv_view_eq_str(c.password, "e782b5e55b37655c27812a60c307b0a7575d8f6d"));
    assert_int_equal(n, 41 + 1 + 19 + 1 + 40 + 1);
    /* NUL-terminated strings, back to back in the caller's buffer. */
    assert_ptr_equal(c.client_id.ptr, (const uint8_t *)buf);
    assert_string_equal((const char *)c.password.ptr, "e782b5e55b37655c27812a60c307b0a7575d8f6d");
}

/* The walk-through's CONNECT frame (tests/vectors/aliyun.txt), keepalive 300, clean session. */
static void test_walkthrough_connect_bytes(void **state)
{
    (void)state;
    bmqtt_aliyun_device_t d = walkthrough_dev();
    char buf[BMQTT_ALIYUN_CREDENTIALS_MAX];
    uint8_t pkt[256];
    bmqtt_connect_t c;
    tv_table_t t;
    size_t n;
    memset(&c, 0, sizeof c);
    c.keepalive_s = 300;
    c.clean_session = 1;
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, NULL, &c), BMQTT_OK);
    assert_int_equal(bmqtt_aliyun_check_connect(&c), BMQTT_OK);
    assert_int_equal(bmqtt_connect_encode(&c, pkt, sizeof pkt, &n), BMQTT_OK);
    assert_int_equal(tv_table_load("tests/vectors/aliyun.txt", &t), 0);
    const tv_row_t *r = tv_table_find(&t, "connect");
    assert_non_null(r);
    assert_int_equal(n, r->len);
    assert_int_equal(n, 118); /* 10 74: remaining length 116 */
    assert_memory_equal(pkt, r->bytes, n);
    tv_table_free(&t);
}

/* Aliyun's documented example: HMAC-SHA1("secret",
 * "clientId12345deviceNamedeviceproductKeypktimestamp789"). */
static void test_documented_example(void **state)
{
    (void)state;
    bmqtt_aliyun_device_t d;
    char buf[BMQTT_ALIYUN_CREDENTIALS_MAX];
    bmqtt_connect_t c;
    memset(&d, 0, sizeof d);
    memset(&c, 0, sizeof c);
    d.product_key = V("pk");
    d.device_name = V("device");
    d.device_secret = V("secret");
    d.client_id = V("12345");
    d.timestamp_ms = 789;
    d.securemode = BMQTT_ALIYUN_SECUREMODE_TLS;
    d.signmethod = BMQTT_ALIYUN_HMACSHA1;
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, NULL, &c), BMQTT_OK);
    assert_int_equal(c.password.len, 40);
    assert_int_equal(strncasecmp((const char *)c.password.ptr, "FAFD82A3D602B37FB0FA8B7892F24A477F851A14", 40), 0);
    assert_true(tv_view_eq_str(c.client_id, "12345|securemode=2,signmethod=hmacsha1,timestamp=789|"));
    assert_true(tv_view_eq_str(c.username, "device&pk"));
}

/* The walk-through's device under each sign method. Passwords from
 * printf %s clientIdco_0001deviceNameco_0001productKeya1wFylTxYeD |
 *   openssl dgst -<sha256|sha1|md5> -hmac 7ab0c4b3532b5783df5fdc58a2895d7a */
static void test_password_lengths(void **state)
{
    (void)state;
    static const size_t hexlen[3] = { 64, 40, 32 };
    static const char *const names[3] = { "hmacsha256", "hmacsha1", "hmacmd5" };
    static const char *const passwords[3] = { "52670ff6c8c53bd04f1ab10d759f986b7dae990efb3a8f87dcf20b9350539851",
                                              "e782b5e55b37655c27812a60c307b0a7575d8f6d",
                                              "44be13e5e196ea87fe62cb1ae5b7b4ce" };
    for (uint8_t m = 0; m < 3; m++) {
        bmqtt_aliyun_device_t d = walkthrough_dev();
        char buf[BMQTT_ALIYUN_CREDENTIALS_MAX], want[80];
        bmqtt_connect_t c;
        memset(&c, 0, sizeof c);
        d.signmethod = m;
        assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, NULL, &c), BMQTT_OK);
        assert_int_equal(c.password.len, hexlen[m]);
        assert_true(tv_view_eq_str(c.password, passwords[m]));
        snprintf(want, sizeof want, "co_0001|securemode=3,signmethod=%s|", names[m]);
        assert_true(tv_view_eq_str(c.client_id, want));
    }
}

static void test_size_first(void **state)
{
    (void)state;
    bmqtt_aliyun_device_t d = walkthrough_dev();
    char buf[BMQTT_ALIYUN_CREDENTIALS_MAX];
    bmqtt_connect_t c, untouched;
    size_t need = 0, n = 0;
    memset(&c, 0x5A, sizeof c);
    untouched = c;
    assert_int_equal(bmqtt_aliyun_credentials(&d, NULL, 0, &need, NULL), BMQTT_OK);
    assert_int_equal(need, 41 + 1 + 19 + 1 + 40 + 1);
    /* One byte short: nothing written, the size reported, the views left alone. */
    memset(buf, 0xAA, sizeof buf);
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, need - 1, &n, &c), BMQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, need);
    for (size_t i = 0; i < sizeof buf; i++) assert_int_equal((uint8_t)buf[i], 0xAA);
    assert_memory_equal(&c, &untouched, sizeof c);
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, 0, &n, &c), BMQTT_ERR_BUFFER_TOO_SMALL);
    /* Exactly enough. */
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, need, &n, &c), BMQTT_OK);
    assert_int_equal(n, need);
    assert_int_equal((uint8_t)buf[need - 1], 0);
    assert_true(tv_view_eq_str(c.password, "e782b5e55b37655c27812a60c307b0a7575d8f6d"));
}

static void test_bad_arguments(void **state)
{
    (void)state;
    char buf[BMQTT_ALIYUN_CREDENTIALS_MAX];
    bmqtt_connect_t c;
    size_t n;
    bmqtt_aliyun_device_t d = walkthrough_dev();
    memset(&c, 0, sizeof c);

    assert_int_equal(bmqtt_aliyun_credentials(NULL, buf, sizeof buf, &n, &c), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_credentials(&d, NULL, 0, NULL, NULL), BMQTT_ERR_PARAM); /* nowhere to report */
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, NULL), BMQTT_ERR_PARAM);

    static const int8_t modes[] = { 0, 1, 4, -1, -3, 127 };
    for (size_t i = 0; i < sizeof modes; i++) {
        d = walkthrough_dev();
        d.securemode = modes[i];
        assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_PARAM);
    }
    d = walkthrough_dev();
    d.signmethod = 3;
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_PARAM);

    d = walkthrough_dev();
    d.product_key = V("");
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_PARAM);
    d = walkthrough_dev();
    d.device_name.ptr = NULL;
    d.device_name.len = 0;
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_PARAM);
    d = walkthrough_dev();
    d.device_secret = V("");
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_PARAM);
    d = walkthrough_dev();
    d.client_id = V(""); /* present but empty */
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_PARAM);

    /* Characters that would break the format. */
    static const char *const bad_cid[] = { "a|b", "a,b", "a\nb", "tab\there", "\x7f" };
    for (size_t i = 0; i < sizeof bad_cid / sizeof bad_cid[0]; i++) {
        d = walkthrough_dev();
        d.client_id = V(bad_cid[i]);
        assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_FIELD);
    }
    d = walkthrough_dev();
    d.device_name = V("co&0001");
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_FIELD);
    d = walkthrough_dev();
    d.device_name = (bmqtt_view_t){ (const uint8_t *)"co\0x", 4 }; /* an embedded NUL */
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_FIELD);
}

static void test_field_limits(void **state)
{
    (void)state;
    char buf[BMQTT_ALIYUN_CREDENTIALS_MAX], s65[66], s33[34];
    bmqtt_connect_t c;
    size_t n;
    bmqtt_aliyun_device_t d = walkthrough_dev();
    memset(&c, 0, sizeof c);
    memset(s65, 'c', 65);
    s65[65] = 0;
    memset(s33, 'd', 33);
    s33[33] = 0;

    d.client_id = (bmqtt_view_t){ (const uint8_t *)s65, 64 }; /* 64: the limit */
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_OK);
    d.client_id = V(s65);
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_FIELD);
    d = walkthrough_dev();
    d.device_name = V(s33);
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_FIELD);
    d.device_name = (bmqtt_view_t){ (const uint8_t *)s33, 32 };
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_OK);
    d = walkthrough_dev();
    d.product_key = V(s33);
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_FIELD);
    d = walkthrough_dev();
    d.device_secret = V(s65);
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_FIELD);
}

/* Every field at its limit still fits BMQTT_ALIYUN_CREDENTIALS_MAX. */
static void test_max_fits(void **state)
{
    (void)state;
    char s[65];
    size_t need;
    bmqtt_aliyun_device_t d;
    memset(s, 'x', 64);
    s[64] = 0;
    memset(&d, 0, sizeof d);
    d.product_key = (bmqtt_view_t){ (const uint8_t *)s, BMQTT_ALIYUN_PK_MAX };
    d.device_name = (bmqtt_view_t){ (const uint8_t *)s, BMQTT_ALIYUN_DN_MAX };
    d.device_secret = (bmqtt_view_t){ (const uint8_t *)s, BMQTT_ALIYUN_SECRET_MAX };
    d.client_id = (bmqtt_view_t){ (const uint8_t *)s, BMQTT_ALIYUN_CID_MAX };
    d.signmethod = BMQTT_ALIYUN_HMACSHA256;
    d.securemode = BMQTT_ALIYUN_SECUREMODE_TLS;
    d.timestamp_ms = UINT64_MAX;
    assert_int_equal(bmqtt_aliyun_credentials(&d, NULL, 0, &need, NULL), BMQTT_OK);
    assert_true(need <= BMQTT_ALIYUN_CREDENTIALS_MAX);
    d.timestamp_ms = 0;
    d.securemode = BMQTT_ALIYUN_SECUREMODE_REGISTER;
    d.regnwl = 0;
    d.random = (bmqtt_view_t){ (const uint8_t *)s, BMQTT_ALIYUN_RANDOM_MAX };
    assert_int_equal(bmqtt_aliyun_credentials(&d, NULL, 0, &need, NULL), BMQTT_OK);
    assert_true(need <= BMQTT_ALIYUN_CREDENTIALS_MAX);
}

static void test_timestamp_in_client_id(void **state)
{
    (void)state;
    bmqtt_aliyun_device_t d = walkthrough_dev();
    char buf[BMQTT_ALIYUN_CREDENTIALS_MAX];
    bmqtt_connect_t c;
    memset(&c, 0, sizeof c);
    d.timestamp_ms = 1700000000123ull;
    d.client_id = V("a1wFylTxYeD.co_0001");
    d.securemode = BMQTT_ALIYUN_SECUREMODE_TLS;
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, NULL, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id,
                               "a1wFylTxYeD.co_0001|securemode=2,signmethod=hmacsha1,timestamp=1700000000123|"));
    d.timestamp_ms = UINT64_MAX;
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, NULL, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id,
                               "a1wFylTxYeD.co_0001|securemode=2,signmethod=hmacsha1,timestamp=18446744073709551615|"));
}

static void test_dynamic_registration(void **state)
{
    (void)state;
    bmqtt_aliyun_device_t d = walkthrough_dev();
    char buf[BMQTT_ALIYUN_CREDENTIALS_MAX];
    bmqtt_connect_t c;
    size_t n;
    memset(&c, 0, sizeof c);
    d.securemode = BMQTT_ALIYUN_SECUREMODE_REGISTER;
    d.signmethod = BMQTT_ALIYUN_HMACSHA256;
    d.device_secret = V("productsecret");
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_PARAM); /* random missing */
    d.random = V("8Fd3a");
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id, "co_0001|securemode=-2,authType=register,random=8Fd3a,signmethod=hmacsha256|"));
    assert_true(tv_view_eq_str(c.username, "co_0001&a1wFylTxYeD"));
    /* printf %s deviceNameco_0001productKeya1wFylTxYeDrandom8Fd3a | openssl dgst -sha256 -hmac productsecret */
    assert_true(tv_view_eq_str(c.password, "63756482e67333f0ee552901a9a6357cdfc540a7dde3efaceefc93243701f602"));
    d.regnwl = 1;
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_OK);
    assert_true(tv_view_eq_str(c.client_id, "co_0001|securemode=-2,authType=regnwl,random=8Fd3a,signmethod=hmacsha256|"));
    assert_true(tv_view_eq_str(c.password, "63756482e67333f0ee552901a9a6357cdfc540a7dde3efaceefc93243701f602"));
    d.timestamp_ms = 5; /* not part of registration */
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_PARAM);
    d.timestamp_ms = 0;
    /* random: letters and digits only, 1..32 of them. */
    static const char *const bad_random[] = { "8Fd-3", "8Fd_3", "8Fd~3", "8Fd:3", "8Fd 3" };
    for (size_t i = 0; i < sizeof bad_random / sizeof bad_random[0]; i++) {
        d.random = V(bad_random[i]);
        assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_FIELD);
    }
    char r33[34];
    memset(r33, 0, sizeof r33);
    memset(r33, 'r', 33);
    d.random = V(r33);
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_ERR_CLOUD_FIELD);
    d.random.len = 32;
    assert_int_equal(bmqtt_aliyun_credentials(&d, buf, sizeof buf, &n, &c), BMQTT_OK);
}

static void test_hosts(void **state)
{
    (void)state;
    char h[128];
    size_t n;
    assert_int_equal(bmqtt_aliyun_host(V("a1wFylTxYeD"), V("cn-shanghai"), h, sizeof h, &n), BMQTT_OK);
    assert_string_equal(h, "a1wFylTxYeD.iot-as-mqtt.cn-shanghai.aliyuncs.com"); /* the walk-through's server */
    assert_int_equal(n, strlen(h));
    assert_int_equal(bmqtt_aliyun_host(V("a1wFylTxYeD"), V("cn-shanghai"), NULL, 0, &n), BMQTT_OK);
    assert_int_equal(n, 48);
    memset(h, 0x55, sizeof h);
    assert_int_equal(bmqtt_aliyun_host(V("a1wFylTxYeD"), V("cn-shanghai"), h, 48, &n), BMQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal((uint8_t)h[0], 0x55);
    assert_int_equal(bmqtt_aliyun_host(V("a1wFylTxYeD"), V("cn-shanghai"), h, 49, NULL), BMQTT_OK);
    assert_int_equal(bmqtt_aliyun_instance_host(V("iot-06z00ax1o4x0xxx"), h, sizeof h, NULL), BMQTT_OK);
    assert_string_equal(h, "iot-06z00ax1o4x0xxx.mqtt.iothub.aliyuncs.com");
    assert_int_equal(bmqtt_aliyun_host(V("a1wF.ylT"), V("cn-shanghai"), h, sizeof h, &n), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_aliyun_host(V("pk"), V("cn/shanghai"), h, sizeof h, &n), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_aliyun_host(V("pk"), V(""), h, sizeof h, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_instance_host(V(NULL), h, sizeof h, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_host(V("pk"), V("r"), NULL, 0, NULL), BMQTT_ERR_PARAM);
    /* Labels: letters, digits and '-' only, 1..63 of them. */
    static const char *const bad[] = { "pk_1", "pk~1", "pk:1", "pk 1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bmqtt_aliyun_host(V(bad[i]), V("cn-shanghai"), h, sizeof h, &n), BMQTT_ERR_CLOUD_FIELD);
        assert_int_equal(bmqtt_aliyun_instance_host(V(bad[i]), h, sizeof h, &n), BMQTT_ERR_CLOUD_FIELD);
    }
    char label[65];
    memset(label, 0, sizeof label);
    memset(label, 'I', 64);
    assert_int_equal(bmqtt_aliyun_instance_host(V(label), NULL, 0, &n), BMQTT_ERR_CLOUD_FIELD);
    label[63] = 0;
    assert_int_equal(bmqtt_aliyun_instance_host(V(label), NULL, 0, &n), BMQTT_OK);
    assert_int_equal(n, 63 + strlen(".mqtt.iothub.aliyuncs.com"));
}

static void test_topics(void **state)
{
    (void)state;
    static const struct {
        bmqtt_aliyun_topic_t kind;
        const char *want;
    } rows[] = {
        { BMQTT_ALIYUN_PROPERTY_POST, "/sys/a1wFylTxYeD/co_0001/thing/event/property/post" },
        { BMQTT_ALIYUN_PROPERTY_POST_REPLY, "/sys/a1wFylTxYeD/co_0001/thing/event/property/post_reply" },
        { BMQTT_ALIYUN_PROPERTY_SET, "/sys/a1wFylTxYeD/co_0001/thing/service/property/set" },
        { BMQTT_ALIYUN_PROPERTY_SET_REPLY, "/sys/a1wFylTxYeD/co_0001/thing/service/property/set_reply" },
        { BMQTT_ALIYUN_EVENT_POST, "/sys/a1wFylTxYeD/co_0001/thing/event/Alarm/post" },
        { BMQTT_ALIYUN_EVENT_POST_REPLY, "/sys/a1wFylTxYeD/co_0001/thing/event/Alarm/post_reply" },
        { BMQTT_ALIYUN_SERVICE, "/sys/a1wFylTxYeD/co_0001/thing/service/Alarm" },
        { BMQTT_ALIYUN_SERVICE_REPLY, "/sys/a1wFylTxYeD/co_0001/thing/service/Alarm_reply" },
        { BMQTT_ALIYUN_RAW_UP, "/sys/a1wFylTxYeD/co_0001/thing/model/up_raw" },
        { BMQTT_ALIYUN_RAW_UP_REPLY, "/sys/a1wFylTxYeD/co_0001/thing/model/up_raw_reply" },
        { BMQTT_ALIYUN_RAW_DOWN, "/sys/a1wFylTxYeD/co_0001/thing/model/down_raw" },
        { BMQTT_ALIYUN_RAW_DOWN_REPLY, "/sys/a1wFylTxYeD/co_0001/thing/model/down_raw_reply" },
        { BMQTT_ALIYUN_OTA_INFORM, "/ota/device/inform/a1wFylTxYeD/co_0001" },
        { BMQTT_ALIYUN_OTA_UPGRADE, "/ota/device/upgrade/a1wFylTxYeD/co_0001" },
        { BMQTT_ALIYUN_OTA_PROGRESS, "/ota/device/progress/a1wFylTxYeD/co_0001" },
    };
    bmqtt_aliyun_device_t d = walkthrough_dev();
    char t[BMQTT_ALIYUN_TOPIC_MAX];
    size_t n, need;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_int_equal(bmqtt_aliyun_topic(&d, rows[i].kind, V("Alarm"), NULL, 0, &need), BMQTT_OK);
        assert_int_equal(need, strlen(rows[i].want));
        assert_int_equal(bmqtt_aliyun_topic(&d, rows[i].kind, V("Alarm"), t, need, &n), BMQTT_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(bmqtt_aliyun_topic(&d, rows[i].kind, V("Alarm"), t, need + 1, &n), BMQTT_OK);
        assert_string_equal(t, rows[i].want);
        assert_int_equal(n, need);
    }
    /* The walk-through's SUBSCRIBE carries the property-set topic: 51 bytes. */
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_PROPERTY_SET, V(NULL), NULL, 0, &n), BMQTT_OK);
    assert_int_equal(n, 0x33);
    /* Identifiers: required where used, no topic syntax characters. */
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_EVENT_POST, V(NULL), t, sizeof t, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_EVENT_POST, V("a/b"), t, sizeof t, &n), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_SERVICE, V("+"), t, sizeof t, &n), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_aliyun_topic(&d, (bmqtt_aliyun_topic_t)15, V("x"), t, sizeof t, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_topic(NULL, BMQTT_ALIYUN_RAW_UP, V(NULL), t, sizeof t, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_SERVICE, V("a~b"), t, sizeof t, &n), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_SERVICE, V("a:b"), t, sizeof t, &n), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_SERVICE_REPLY, V("Set_Mode.v2"), t, sizeof t, &n), BMQTT_OK);
    assert_string_equal(t, "/sys/a1wFylTxYeD/co_0001/thing/service/Set_Mode.v2_reply");
    char id[66];
    memset(id, 0, sizeof id);
    memset(id, 'i', 65);
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_EVENT_POST, V(id), NULL, 0, &n), BMQTT_ERR_CLOUD_FIELD);
    id[64] = 0;
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_EVENT_POST, V(id), NULL, 0, &n), BMQTT_OK);
    assert_int_equal(n, strlen("/sys/a1wFylTxYeD/co_0001/thing/event//post") + 64);
    /* The id is ignored where the topic has none: a bad one does not matter there. */
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_RAW_UP, V("a/b"), NULL, 0, &n), BMQTT_OK);
    d.product_key = V("a1wF/lTxYeD");
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_RAW_UP, V(NULL), t, sizeof t, &n), BMQTT_ERR_CLOUD_FIELD);
    d.product_key = V("");
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_RAW_UP, V(NULL), t, sizeof t, &n), BMQTT_ERR_PARAM);
    d.product_key = V("a1wFylTxYeD");
    d.device_name = V("co#1");
    assert_int_equal(bmqtt_aliyun_topic(&d, BMQTT_ALIYUN_RAW_UP, V(NULL), t, sizeof t, &n), BMQTT_ERR_CLOUD_FIELD);
    /* The longest topic fits BMQTT_ALIYUN_TOPIC_MAX. */
    char s[65];
    memset(s, 'z', 64);
    s[64] = 0;
    d.product_key = (bmqtt_view_t){ (const uint8_t *)s, BMQTT_ALIYUN_PK_MAX };
    d.device_name = (bmqtt_view_t){ (const uint8_t *)s, BMQTT_ALIYUN_DN_MAX };
    for (int k = 0; k <= (int)BMQTT_ALIYUN_OTA_PROGRESS; k++) {
        assert_int_equal(bmqtt_aliyun_topic(&d, (bmqtt_aliyun_topic_t)k, V(s), t, sizeof t, &n), BMQTT_OK);
    }
}

static void test_alink(void **state)
{
    (void)state;
    char j[256];
    size_t n;
    assert_int_equal(bmqtt_aliyun_alink(V("123"), V("thing.event.property.post"), V("{\"PowerSwitch_1\":1}"), j,
                                        sizeof j, &n),
                     BMQTT_OK);
    assert_string_equal(j, "{\"id\":\"123\",\"version\":\"1.0\",\"params\":{\"PowerSwitch_1\":1},"
                           "\"method\":\"thing.event.property.post\"}");
    assert_int_equal(n, strlen(j));
    assert_int_equal(bmqtt_aliyun_alink(V("123"), V("m"), V("{}"), j, 10, &n), BMQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(bmqtt_aliyun_alink(V("1\"2"), V("m"), V("{}"), j, sizeof j, &n), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_aliyun_alink(V("1"), V("m\\"), V("{}"), j, sizeof j, &n), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_aliyun_alink(V("1"), V("m"), V(""), j, sizeof j, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_alink(V("1"), V("m"), (bmqtt_view_t){ NULL, 2 }, j, sizeof j, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_alink(V(""), V("m"), V("{}"), j, sizeof j, &n), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_alink(V("1"), V(NULL), V("{}"), j, sizeof j, &n), BMQTT_ERR_PARAM);

    /* id and method: 1..64 characters. */
    char s65[66];
    memset(s65, 0, sizeof s65);
    memset(s65, '7', 65);
    assert_int_equal(bmqtt_aliyun_alink(V(s65), V("m"), V("{}"), NULL, 0, &n), BMQTT_ERR_CLOUD_FIELD);
    assert_int_equal(bmqtt_aliyun_alink(V("1"), V(s65), V("{}"), NULL, 0, &n), BMQTT_ERR_CLOUD_FIELD);
    s65[64] = 0;
    assert_int_equal(bmqtt_aliyun_alink(V(s65), V("m"), V("{}"), NULL, 0, &n), BMQTT_OK);
    assert_int_equal(n, 64 + strlen("{\"id\":\"\",\"version\":\"1.0\",\"params\":{},\"method\":\"m\"}"));

    /* Size first: n bytes are one short and left untouched, n + 1 fit. */
    const char *want = "{\"id\":\"9\",\"version\":\"1.0\",\"params\":[1],\"method\":\"thing.service.property.set\"}";
    assert_int_equal(bmqtt_aliyun_alink(V("9"), V("thing.service.property.set"), V("[1]"), NULL, 0, &n), BMQTT_OK);
    assert_int_equal(n, strlen(want));
    memset(j, 0x55, sizeof j);
    assert_int_equal(bmqtt_aliyun_alink(V("9"), V("thing.service.property.set"), V("[1]"), j, n, &n),
                     BMQTT_ERR_BUFFER_TOO_SMALL);
    for (size_t i = 0; i < sizeof j; i++) assert_int_equal((uint8_t)j[i], 0x55);
    assert_int_equal(bmqtt_aliyun_alink(V("9"), V("thing.service.property.set"), V("[1]"), j, n + 1, NULL), BMQTT_OK);
    assert_string_equal(j, want);
}

static void test_limits(void **state)
{
    (void)state;
    bmqtt_connect_t c;
    memset(&c, 0, sizeof c);
    c.client_id = V("x");
    static const struct {
        uint16_t ka;
        bmqtt_status_t want;
    } ka[] = { { 0, BMQTT_ERR_CLOUD_KEEPALIVE },    { 15, BMQTT_ERR_CLOUD_KEEPALIVE },
               { 29, BMQTT_ERR_CLOUD_KEEPALIVE },   { 30, BMQTT_OK },
               { 300, BMQTT_OK },                   { 1200, BMQTT_OK },
               { 1201, BMQTT_ERR_CLOUD_KEEPALIVE }, { 65535, BMQTT_ERR_CLOUD_KEEPALIVE } };
    for (size_t i = 0; i < sizeof ka / sizeof ka[0]; i++) {
        c.keepalive_s = ka[i].ka;
        assert_int_equal(bmqtt_aliyun_check_connect(&c), ka[i].want);
        assert_int_equal(c.keepalive_s, ka[i].ka); /* reported, never adjusted */
    }
    c.keepalive_s = 60;
    c.will_topic = V("w");
    assert_int_equal(bmqtt_aliyun_check_connect(&c), BMQTT_ERR_CLOUD_WILL);
    assert_int_equal(bmqtt_aliyun_check_connect(NULL), BMQTT_ERR_PARAM);

    bmqtt_publish_t p;
    memset(&p, 0, sizeof p);
    p.topic = V("/sys/a/b/thing/event/property/post");
    assert_int_equal(bmqtt_aliyun_check_publish(&p), BMQTT_OK);
    p.qos = 1;
    assert_int_equal(bmqtt_aliyun_check_publish(&p), BMQTT_OK);
    p.qos = 2;
    assert_int_equal(bmqtt_aliyun_check_publish(&p), BMQTT_ERR_CLOUD_QOS);
    p.qos = 0;
    p.retain = 1;
    assert_int_equal(bmqtt_aliyun_check_publish(&p), BMQTT_ERR_CLOUD_RETAIN);
    assert_int_equal(bmqtt_aliyun_check_publish(NULL), BMQTT_ERR_PARAM);

    bmqtt_subscription_t s[2] = { { V("a"), 1 }, { V("b"), 2 } };
    assert_int_equal(bmqtt_aliyun_check_subscribe(s, 1), BMQTT_OK);
    assert_int_equal(bmqtt_aliyun_check_subscribe(s, 2), BMQTT_ERR_CLOUD_QOS);
    assert_int_equal(bmqtt_aliyun_check_subscribe(NULL, 1), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_check_subscribe(NULL, 0), BMQTT_OK);
}

static const char reply_ok[] =
    "{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"deviceSecret\":\"7ab0c4b3532b5783df5fdc58a2895d7a\"}";

static void test_register_reply(void **state)
{
    (void)state;
    bmqtt_aliyun_device_t d = walkthrough_dev();
    bmqtt_view_t s;
    assert_int_equal(bmqtt_aliyun_register_reply(&d, V(reply_ok), &s), BMQTT_OK);
    assert_true(tv_view_eq_str(s, "7ab0c4b3532b5783df5fdc58a2895d7a"));
    assert_true(s.ptr > (const uint8_t *)reply_ok && s.ptr < (const uint8_t *)reply_ok + sizeof reply_ok);
    /* Blanks, members in another order, extra members of any type. */
    assert_int_equal(bmqtt_aliyun_register_reply(
                         &d,
                         V(" {\n \"x\" : [1,{\"deviceSecret\":\"nested\"},\"]\"] , \"deviceSecret\" : \"S3\" ,"
                           "\"n\":-1.5e3,\"t\":true,\"o\":{\"a\":{}},\"deviceName\":\"co_0001\",\"productKey\":\"a1wFylTxYeD\"}"),
                         &s),
                     BMQTT_OK);
    assert_true(tv_view_eq_str(s, "S3"));
    /* Another device, missing or empty secret, a secret with an escape, a key only as a value. */
    static const char *const bad[] = {
        "{\"productKey\":\"other\",\"deviceName\":\"co_0001\",\"deviceSecret\":\"s\"}",
        "{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0002\",\"deviceSecret\":\"s\"}",
        "{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\"}",
        "{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"deviceSecret\":\"\"}",
        "{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"deviceSecret\":\"a\\\"b\"}",
        "{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"deviceSecret\":123}",
        "{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"k\":\"deviceSecret\"}",
        "{\"o\":{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"deviceSecret\":\"s\"}}",
        "[\"productKey\",\"deviceSecret\"]",
        "",
        "{}",
        "{\"productKey\" \"a1wFylTxYeD\"}",
        "{\"productKey\":\"a1wFylTxYeD\" \"deviceName\":\"co_0001\",\"deviceSecret\":\"s\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bmqtt_aliyun_register_reply(&d, V(bad[i]), &s), BMQTT_ERR_CLOUD_REPLY);
    }
    assert_int_equal(bmqtt_aliyun_register_reply(NULL, V(reply_ok), &s), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_register_reply(&d, V(reply_ok), NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_register_reply(&d, V("{\"productKey\":\"a1wFylTxYeD\",\"deviceSecret\":\"s\"}"), &s),
                     BMQTT_ERR_CLOUD_REPLY); /* no deviceName */

    /* The secret: 1..64 bytes, no control character (JSON allows DEL). */
    char r[160], s65[66];
    memset(s65, 0, sizeof s65);
    memset(s65, 'k', 65);
    snprintf(r, sizeof r, "{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"deviceSecret\":\"%s\"}", s65);
    assert_int_equal(bmqtt_aliyun_register_reply(&d, V(r), &s), BMQTT_ERR_CLOUD_REPLY);
    s65[64] = 0;
    snprintf(r, sizeof r, "{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"deviceSecret\":\"%s\"}", s65);
    assert_int_equal(bmqtt_aliyun_register_reply(&d, V(r), &s), BMQTT_OK);
    assert_true(tv_view_eq_str(s, s65));
    assert_int_equal(bmqtt_aliyun_register_reply(
                         &d, V("{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"deviceSecret\":\"a\x7f\"}"), &s),
                     BMQTT_ERR_CLOUD_REPLY);

    /* Empty names compare equal without reading either view; the device name still decides. */
    d.product_key = V(NULL);
    assert_int_equal(
        bmqtt_aliyun_register_reply(&d, V("{\"productKey\":\"\",\"deviceName\":\"other\",\"deviceSecret\":\"s\"}"), &s),
        BMQTT_ERR_CLOUD_REPLY);
}

/* bmqtt_aliyun_json_string on its own: arguments, blanks, strings with
 * control bytes and escapes, and names written with an escape. */
static void test_json_string(void **state)
{
    (void)state;
    static const bmqtt_view_t unset = { (const uint8_t *)"unset", 5 };
    bmqtt_view_t v = unset;

    assert_int_equal(bmqtt_aliyun_json_string(V("{\"a\":\"x\"}"), NULL, &v), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_json_string(V("{\"a\":\"x\"}"), "a", NULL), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_json_string((bmqtt_view_t){ NULL, 7 }, "a", &v), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_aliyun_json_string((bmqtt_view_t){ NULL, 0 }, "a", &v), BMQTT_ERR_CLOUD_REPLY);
    assert_memory_equal(&v, &unset, sizeof v);

    /* All four JSON blanks, anywhere between tokens. */
    assert_int_equal(bmqtt_aliyun_json_string(V("\r\n\t {\t\"b\"\r:\n1 ,\r\n\"a\" \t:\r\"x y\"\t}\r\n"), "a", &v), BMQTT_OK);
    assert_true(tv_view_eq_str(v, "x y"));

    /* A name with an escape never matches, even when it decodes to the key. */
    assert_int_equal(bmqtt_aliyun_json_string(V("{\"k\\u0065y\":\"v\",\"key\":\"w\"}"), "key", &v), BMQTT_OK);
    assert_true(tv_view_eq_str(v, "w"));
    v = unset;
    assert_int_equal(bmqtt_aliyun_json_string(V("{\"k\\u0065y\":\"v\"}"), "key", &v), BMQTT_ERR_CLOUD_REPLY);

    /* Escapes elsewhere are checked: four hex digits of either case after \u. */
    assert_int_equal(bmqtt_aliyun_json_string(V("{\"e\":\"\\u00aF\\u09Af\",\"a\":\"x\"}"), "a", &v), BMQTT_OK);
    assert_true(tv_view_eq_str(v, "x"));
    static const char *const bad[] = {
        "{\"e\":\"\\u00!0\",\"a\":\"x\"}", /* below '0' */
        "{\"e\":\"\\u00:0\",\"a\":\"x\"}", /* between '9' and 'A' */
        "{\"e\":\"\\u00G0\",\"a\":\"x\"}", /* between 'F' and 'a' */
        "{\"e\":\"\\u00g0\",\"a\":\"x\"}", /* above 'f' */
        "{\"e\":\"a\x01\",\"a\":\"x\"}",    /* a control byte in a string */
        "{\"\x1f\":1,\"a\":\"x\"}",           /* ... in a name */
        "{\"a\":\"x\"}\v",                    /* \v is not a JSON blank */
    };
    v = unset;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bmqtt_aliyun_json_string(V(bad[i]), "a", &v), BMQTT_ERR_CLOUD_REPLY);
        assert_memory_equal(&v, &unset, sizeof v);
    }
}

/* Found by tests/fuzz/fuzz_cloud.c: a reply that was malformed only after
 * the members looked up (here a missing comma, a closer of the wrong kind, a
 * bad literal, number or escape) was accepted. The whole payload must be one
 * well-formed JSON object, at most BMQTT_ALIYUN_JSON_DEPTH_MAX levels deep. */
static void test_register_reply_malformed(void **state)
{
    (void)state;
#define DEV "{\"productKey\":\"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"deviceSecret\":\"S4\""
    static const char *const bad[] = {
        DEV " \"x\":1}", /* the fuzzer's find: no comma */
        DEV ",}",                               DEV ",\"x\"}",
        DEV ",1:2}",                            DEV ",\"x\":{\"a\"}}",
        DEV ",\"x\":[1},\"y\":{\"a\":2]}",      DEV ",\"x\":[1,]}",
        DEV ",\"x\":[,1]}",                     DEV ",\"x\":tru}",
        DEV ",\"x\":01}",                       DEV ",\"x\":1.}",
        DEV ",\"x\":-}",                        DEV ",\"x\":1e}",
        DEV ",\"x\":\"\\q\"}",                  DEV ",\"x\":\"\\u12g4\"}",
        DEV "}x",
    };
    bmqtt_aliyun_device_t d = walkthrough_dev();
    bmqtt_view_t s = { NULL, 0 };
    char buf[256];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bmqtt_aliyun_register_reply(&d, V(bad[i]), &s), BMQTT_ERR_CLOUD_REPLY);
        assert_null(s.ptr);
    }
    /* Every scalar form, escapes elsewhere, and nesting up to the limit still parse. */
    assert_int_equal(bmqtt_aliyun_register_reply(
                         &d, V(DEV ",\"n\":[-0.5e-3,0,12E+2,true,false,null],\"e\":\"\\u00e9\\n\\/\"}"), &s),
                     BMQTT_OK);
    assert_true(tv_view_eq_str(s, "S4"));
    for (unsigned depth = BMQTT_ALIYUN_JSON_DEPTH_MAX - 1u; depth <= BMQTT_ALIYUN_JSON_DEPTH_MAX; depth++) {
        size_t n = (size_t)snprintf(buf, sizeof buf, "%s,\"x\":", DEV);
        for (unsigned k = 0; k < depth; k++) buf[n++] = '[';
        for (unsigned k = 0; k < depth; k++) buf[n++] = ']';
        buf[n++] = '}';
        buf[n] = 0;
        /* The object itself is one level: DEPTH_MAX - 1 arrays inside it fit. */
        assert_int_equal(bmqtt_aliyun_register_reply(&d, V(buf), &s),
                         depth < BMQTT_ALIYUN_JSON_DEPTH_MAX ? BMQTT_OK : BMQTT_ERR_CLOUD_REPLY);
    }
#undef DEV
}

/* Every prefix of a reply, copied to a buffer of exactly that size (ASan
 * catches a read past it): only the whole reply parses. */
static void test_register_reply_truncated(void **state)
{
    (void)state;
    /* The second reply has blanks, escapes and numbers of every form at its
     * end, so that cuts fall inside each of them. */
    static const char *const replies[] = {
        reply_ok,
        "{\r\n\t\"productKey\" : \"a1wFylTxYeD\",\"deviceName\":\"co_0001\",\"deviceSecret\":\"S5\","
        "\"e\":\"\\u00aF\\n\",\"n\":[-0.5e+3,0,1E-2,10,true]}",
    };
    bmqtt_aliyun_device_t d = walkthrough_dev();
    bmqtt_view_t s;
    for (size_t r = 0; r < sizeof replies / sizeof replies[0]; r++) {
        size_t n = strlen(replies[r]);
        for (size_t len = 0; len < n; len++) {
            uint8_t *copy = test_malloc(len ? len : 1);
            memcpy(copy, replies[r], len);
            assert_int_equal(bmqtt_aliyun_register_reply(&d, (bmqtt_view_t){ copy, len }, &s), BMQTT_ERR_CLOUD_REPLY);
            test_free(copy);
        }
        assert_int_equal(bmqtt_aliyun_register_reply(&d, V(replies[r]), &s), BMQTT_OK);
    }
    assert_true(tv_view_eq_str(s, "S5"));
    /* Random bytes never crash and rarely parse. */
    uint32_t seed = 12345;
    for (int round = 0; round < 2000; round++) {
        uint8_t junk[48];
        size_t len = tv_rand(&seed) % sizeof junk;
        for (size_t i = 0; i < len; i++) junk[i] = (uint8_t)"{}[]\":, a\\1"[tv_rand(&seed) % 11];
        uint8_t *copy = test_malloc(len ? len : 1);
        memcpy(copy, junk, len);
        (void)bmqtt_aliyun_json_string((bmqtt_view_t){ copy, len }, "a", &s);
        test_free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walkthrough_credentials),
        cmocka_unit_test(test_walkthrough_connect_bytes),
        cmocka_unit_test(test_documented_example),
        cmocka_unit_test(test_password_lengths),
        cmocka_unit_test(test_size_first),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_field_limits),
        cmocka_unit_test(test_max_fits),
        cmocka_unit_test(test_timestamp_in_client_id),
        cmocka_unit_test(test_dynamic_registration),
        cmocka_unit_test(test_hosts),
        cmocka_unit_test(test_topics),
        cmocka_unit_test(test_alink),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_register_reply),
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_register_reply_truncated),
        cmocka_unit_test(test_register_reply_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
