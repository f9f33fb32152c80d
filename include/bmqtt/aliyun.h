/**
 * @file aliyun.h
 * @brief Aliyun (Alibaba Cloud) IoT Platform: MQTT credentials, hosts, topics,
 *        Alink JSON, the platform's limits and dynamic registration.
 *
 * A layer of its own, above the codec: it needs mbedTLS's md module (HMAC-SHA1,
 * -SHA256, -MD5; the hash you use must be enabled in your mbedTLS build) and
 * never the client. Sources: BMQTT_CLOUD_SRCS in bmqtt.mk.
 *
 * Credentials (for signmethod s, securemode m and the optional timestamp t):
 *  - client id `<cid>|securemode=<m>,signmethod=<s>[,timestamp=<t>]|`, where
 *    `<cid>` is bmqtt_aliyun_device_t::client_id or, when absent, the device name;
 *  - user name `<DeviceName>&<ProductKey>`;
 *  - password: lowercase hex of HMAC_s(key = DeviceSecret as ASCII,
 *    `clientId<cid>deviceName<dn>productKey<pk>[timestamp<t>]`).
 *
 * Every function that produces text is size-first and allocates nothing:
 * with buf == NULL it validates and reports the size; with a buffer too
 * small it reports the size and returns BMQTT_ERR_BUFFER_TOO_SMALL without
 * writing anything. mbedTLS itself allocates its md context (a few hundred
 * bytes, freed before return) through its calloc: the static buffer
 * allocator on a microcontroller.
 *
 * @code
 * static const bmqtt_aliyun_device_t dev = { BMQTT_VIEW_LIT("a1wFylTxYeD"), BMQTT_VIEW_LIT("co_0001"),
 *     BMQTT_VIEW_LIT("7ab0c4b3532b5783df5fdc58a2895d7a"), { NULL, 0 }, 0, BMQTT_ALIYUN_SECUREMODE_TLS,
 *     BMQTT_ALIYUN_HMACSHA256, 0, { NULL, 0 } };
 * static char cred[BMQTT_ALIYUN_CREDENTIALS_MAX];
 * bmqtt_connect_t c = { 0 };
 * c.keepalive_s = 300; c.clean_session = 1;
 * if (bmqtt_aliyun_credentials(&dev, cred, sizeof cred, NULL, &c) == BMQTT_OK &&
 *     bmqtt_aliyun_check_connect(&c) == BMQTT_OK) bmqtt_client_connect(&client, &tr, &c, now_ms());
 * @endcode
 */
#ifndef BMQTT_ALIYUN_H
#define BMQTT_ALIYUN_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/cloud.h"
#include "bmqtt/codec.h"
#include "bmqtt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Sign methods. The zero value is hmacsha256, which the shipped MCU mbedTLS config has. */
typedef enum bmqtt_aliyun_sign {
    BMQTT_ALIYUN_HMACSHA256 = 0, /**< "hmacsha256": 64 hex characters. */
    BMQTT_ALIYUN_HMACSHA1 = 1,   /**< "hmacsha1": 40 hex characters (Aliyun's MQTT walk-through). Needs MBEDTLS_SHA1_C. */
    BMQTT_ALIYUN_HMACMD5 = 2     /**< "hmacmd5": 32 hex characters. Needs MBEDTLS_MD5_C. */
} bmqtt_aliyun_sign_t;

#define BMQTT_ALIYUN_SECUREMODE_TLS 2       /**< TLS, direct connection (ports 1883 and 8883). */
#define BMQTT_ALIYUN_SECUREMODE_TCP 3       /**< Plain TCP (disabled for new devices on public instances). */
#define BMQTT_ALIYUN_SECUREMODE_REGISTER (-2) /**< Dynamic registration (one type, one secret; TLS only). */

/* Field limits. A longer field is BMQTT_ERR_CLOUD_FIELD, never cut. */
#define BMQTT_ALIYUN_CID_MAX 64u      /**< client id prefix (Aliyun: up to 64 characters). */
#define BMQTT_ALIYUN_PK_MAX 32u       /**< ProductKey (11 characters today). */
#define BMQTT_ALIYUN_DN_MAX 32u       /**< DeviceName (Aliyun: 4..32 characters). */
#define BMQTT_ALIYUN_SECRET_MAX 64u   /**< DeviceSecret / ProductSecret (32 today). */
#define BMQTT_ALIYUN_RANDOM_MAX 32u   /**< random= of dynamic registration. */
#define BMQTT_ALIYUN_ID_MAX 64u       /**< event/service identifier in a topic, Alink message id. */

/** Buffer bytes enough for bmqtt_aliyun_credentials() with any valid fields. */
#define BMQTT_ALIYUN_CREDENTIALS_MAX 320u
/** Buffer bytes enough for any bmqtt_aliyun_topic(), NUL included. */
#define BMQTT_ALIYUN_TOPIC_MAX 160u

/** Shortest keepalive the platform accepts, in seconds. */
#define BMQTT_ALIYUN_KEEPALIVE_MIN 30u
/** Longest keepalive the platform accepts, in seconds. */
#define BMQTT_ALIYUN_KEEPALIVE_MAX 1200u

/** Deepest nesting of objects and arrays that bmqtt_aliyun_json_string() accepts. */
#define BMQTT_ALIYUN_JSON_DEPTH_MAX 32u

/** Topics on which the server answers dynamic registration. */
#define BMQTT_ALIYUN_REGISTER_TOPIC "/ext/register" /**< authType=register: the DeviceSecret. */
#define BMQTT_ALIYUN_REGNWL_TOPIC "/ext/regnwl"     /**< authType=regnwl: a clientId and token. */

/** The device triple and how to sign. Views are read during the call only. */
typedef struct bmqtt_aliyun_device {
    bmqtt_view_t product_key;   /**< ProductKey. */
    bmqtt_view_t device_name;   /**< DeviceName. */
    bmqtt_view_t device_secret; /**< DeviceSecret; the ProductSecret with securemode -2. */
    bmqtt_view_t client_id;     /**< Prefix before the first '|'; ptr NULL: the device name. No '|' or ','. */
    uint64_t timestamp_ms;      /**< 0: none sent; otherwise in the client id and signed. Not with -2. */
    int8_t securemode;          /**< 2, 3 or -2 (BMQTT_ALIYUN_SECUREMODE_*); anything else is BMQTT_ERR_PARAM. */
    uint8_t signmethod;         /**< bmqtt_aliyun_sign_t. */
    uint8_t regnwl;             /**< securemode -2: 0 authType=register, 1 authType=regnwl. */
    bmqtt_view_t random;        /**< securemode -2: the random= value (your RNG), 1..32 alphanumerics. */
} bmqtt_aliyun_device_t;

/**
 * @brief Write the client id, user name and password, each NUL-terminated,
 *        back to back into @p buf, and point @p out's client_id, username and
 *        password views at them (its other fields are left alone).
 *
 * With securemode -2 the client id is
 * `<cid>|securemode=-2,authType=register,random=<r>,signmethod=<s>|` and the
 * password signs `deviceName<dn>productKey<pk>random<r>` with the ProductSecret.
 *
 * @param[in]  dev  the device; see bmqtt_aliyun_device_t.
 * @param[out] buf  NULL: only report the size in *len.
 * @param[in]  cap  bytes of @p buf.
 * @param[out] len  may be NULL when buf is not; bytes used or needed, the three NULs included.
 * @param[out] out  the views (needed when buf is not NULL); valid as long as @p buf.
 * @return BMQTT_OK; BMQTT_ERR_PARAM (NULL, an empty field, a bad securemode or
 *         signmethod, random missing with -2 or a timestamp with -2);
 *         BMQTT_ERR_CLOUD_FIELD (a field over its limit, or with a control
 *         character, '|', ',' or '&' where it would break the format);
 *         BMQTT_ERR_CLOUD_CRYPTO (hash not in this mbedTLS); BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt_aliyun_credentials(const bmqtt_aliyun_device_t *dev, char *buf, size_t cap, size_t *len,
                                        bmqtt_connect_t *out);

/**
 * @brief Host of the legacy public instance: `<pk>.iot-as-mqtt.<region>.aliyuncs.com`
 *        (regions cn-shanghai, ap-southeast-1, ap-northeast-1, us-west-1, eu-central-1...).
 * @param[out] len  may be NULL when buf is not; the host's length without the NUL
 *                  (buf needs *len + 1 bytes).
 * @return BMQTT_OK, BMQTT_ERR_PARAM, BMQTT_ERR_CLOUD_FIELD (not letters, digits and '-'),
 *         BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt_aliyun_host(bmqtt_view_t product_key, bmqtt_view_t region, char *buf, size_t cap, size_t *len);

/** @brief Host of a newer instance: `<instance-id>.mqtt.iothub.aliyuncs.com`. As bmqtt_aliyun_host(). */
bmqtt_status_t bmqtt_aliyun_instance_host(bmqtt_view_t instance_id, char *buf, size_t cap, size_t *len);

/** Which topic bmqtt_aliyun_topic() builds (pk and dn from the device). */
typedef enum bmqtt_aliyun_topic {
    BMQTT_ALIYUN_PROPERTY_POST = 0,   /**< /sys/\<pk\>/\<dn\>/thing/event/property/post */
    BMQTT_ALIYUN_PROPERTY_POST_REPLY, /**< ... /thing/event/property/post_reply */
    BMQTT_ALIYUN_PROPERTY_SET,        /**< /sys/\<pk\>/\<dn\>/thing/service/property/set */
    BMQTT_ALIYUN_PROPERTY_SET_REPLY,  /**< ... /thing/service/property/set_reply */
    BMQTT_ALIYUN_EVENT_POST,          /**< /sys/\<pk\>/\<dn\>/thing/event/\<id\>/post */
    BMQTT_ALIYUN_EVENT_POST_REPLY,    /**< ... /thing/event/\<id\>/post_reply */
    BMQTT_ALIYUN_SERVICE,             /**< /sys/\<pk\>/\<dn\>/thing/service/\<id\> */
    BMQTT_ALIYUN_SERVICE_REPLY,       /**< ... /thing/service/\<id\>_reply */
    BMQTT_ALIYUN_RAW_UP,              /**< /sys/\<pk\>/\<dn\>/thing/model/up_raw */
    BMQTT_ALIYUN_RAW_UP_REPLY,        /**< ... /thing/model/up_raw_reply */
    BMQTT_ALIYUN_RAW_DOWN,            /**< /sys/\<pk\>/\<dn\>/thing/model/down_raw */
    BMQTT_ALIYUN_RAW_DOWN_REPLY,      /**< ... /thing/model/down_raw_reply */
    BMQTT_ALIYUN_OTA_INFORM,          /**< /ota/device/inform/\<pk\>/\<dn\> */
    BMQTT_ALIYUN_OTA_UPGRADE,         /**< /ota/device/upgrade/\<pk\>/\<dn\> */
    BMQTT_ALIYUN_OTA_PROGRESS         /**< /ota/device/progress/\<pk\>/\<dn\> */
} bmqtt_aliyun_topic_t;

/**
 * @brief Build a topic of the device.
 * @param[in] id  the event or service identifier (EVENT_*, SERVICE*); ignored otherwise.
 *                Letters, digits, '_' and '.' (service ids like "property.set" are not
 *                topics of their own here: use PROPERTY_SET).
 * @param[out] len  may be NULL when buf is not; the topic's length without the NUL.
 * @return BMQTT_OK, BMQTT_ERR_PARAM (unknown kind, empty field), BMQTT_ERR_CLOUD_FIELD
 *         (a field over its limit or with '/', '+', '#'), BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt_aliyun_topic(const bmqtt_aliyun_device_t *dev, bmqtt_aliyun_topic_t which, bmqtt_view_t id,
                                  char *buf, size_t cap, size_t *len);

/**
 * @brief An Alink JSON request:
 *        `{"id":"<id>","version":"1.0","params":<params>,"method":"<method>"}`.
 * @param[in] id      message id: 1..64 characters, digits recommended; no '"' or '\'.
 * @param[in] method  e.g. "thing.event.property.post"; no '"' or '\'.
 * @param[in] params  JSON written as is (an object such as {"PowerSwitch_1":1}).
 * @param[out] len    may be NULL when buf is not; the length without the NUL.
 * @return BMQTT_OK, BMQTT_ERR_PARAM, BMQTT_ERR_CLOUD_FIELD, BMQTT_ERR_BUFFER_TOO_SMALL.
 */
bmqtt_status_t bmqtt_aliyun_alink(bmqtt_view_t id, bmqtt_view_t method, bmqtt_view_t params, char *buf, size_t cap,
                                  size_t *len);

/**
 * @brief Check CONNECT fields against Aliyun's limits (nothing is changed).
 * @return BMQTT_OK; BMQTT_ERR_PARAM (NULL); BMQTT_ERR_CLOUD_KEEPALIVE (outside
 *         30..1200 s, 0 included); BMQTT_ERR_CLOUD_WILL (a will topic is set).
 */
bmqtt_status_t bmqtt_aliyun_check_connect(const bmqtt_connect_t *c);

/** @brief Check a PUBLISH: BMQTT_ERR_CLOUD_QOS (QoS 2), BMQTT_ERR_CLOUD_RETAIN, BMQTT_ERR_PARAM (NULL) or BMQTT_OK. */
bmqtt_status_t bmqtt_aliyun_check_publish(const bmqtt_publish_t *p);

/** @brief Check SUBSCRIBE entries: BMQTT_ERR_CLOUD_QOS for a QoS 2 request, BMQTT_ERR_PARAM, or BMQTT_OK. */
bmqtt_status_t bmqtt_aliyun_check_subscribe(const bmqtt_subscription_t *subs, size_t count);

/**
 * @brief Find the string member @p key of the top-level JSON object @p json.
 *
 * Reads the untrusted payload strictly inside its view. The whole payload
 * must be one well-formed JSON object (RFC 8259; blanks around it allowed,
 * bytes >= 0x80 not checked as UTF-8) nested at most
 * BMQTT_ALIYUN_JSON_DEPTH_MAX levels deep, whatever member is looked up.
 * Nested objects and arrays are skipped; a member at depth > 1 is never
 * matched; the first member of that name decides, and a name written with an
 * escape never matches.
 * @param[out] value  a view into @p json of the string's bytes, without the
 *                    quotes; strings with a backslash escape are refused.
 * @return BMQTT_OK; BMQTT_ERR_PARAM (NULL); BMQTT_ERR_CLOUD_REPLY (not an
 *         object, malformed, too deep, key absent, value not a plain string);
 *         *value is written only on BMQTT_OK.
 */
bmqtt_status_t bmqtt_aliyun_json_string(bmqtt_view_t json, const char *key, bmqtt_view_t *value);

/**
 * @brief Read the DeviceSecret from the `/ext/register` message that answers
 *        a dynamic registration, checking that it names @p dev's product and
 *        device: `{"productKey":"..","deviceName":"..","deviceSecret":".."}`.
 * @param[out] device_secret a view into @p payload; keep it (copy it to flash)
 *             before the receive buffer is reused.
 * @return BMQTT_OK, BMQTT_ERR_PARAM, BMQTT_ERR_CLOUD_REPLY (malformed, another
 *         device, or the secret missing, empty or over BMQTT_ALIYUN_SECRET_MAX).
 */
bmqtt_status_t bmqtt_aliyun_register_reply(const bmqtt_aliyun_device_t *dev, bmqtt_view_t payload,
                                           bmqtt_view_t *device_secret);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_ALIYUN_H */
