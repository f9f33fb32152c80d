/**
 * @file cloud.h
 * @brief MQTT credentials for other IoT clouds (AWS IoT Core, Azure IoT Hub,
 *        Tencent IoT, Huawei Cloud IoTDA, China Mobile OneNET, Baidu IoT Core)
 *        and a check of CONNECT/PUBLISH/SUBSCRIBE fields against a cloud's limits.
 *
 * The same layer as aliyun.h (BMQTT_CLOUD_SRCS in bmqtt.mk): HMAC, hashes and
 * base64 come from mbedTLS (md and base64 modules); the core never needs them.
 *
 * Every credentials function has one shape: from a caller-filled device
 * struct it writes the client id, the user name and the password, each
 * NUL-terminated, back to back into @p buf, and points the three views of
 * @p out at them (its other fields are left alone). Size first: buf NULL
 * reports the bytes needed in *len; a buffer too small gives
 * BMQTT_ERR_BUFFER_TOO_SMALL and nothing written. @p len may be NULL when buf
 * is not. Times are the caller's (SNTP, RTC): nothing here reads a clock.
 *
 * Statuses of every credentials function: BMQTT_OK; BMQTT_ERR_PARAM (NULL, an
 * empty field, an unknown method); BMQTT_ERR_CLOUD_FIELD (a field over its
 * limit, or with a control character or a character the format forbids);
 * BMQTT_ERR_CLOUD_CRYPTO (a key that is not base64, a hash not in this
 * mbedTLS build); BMQTT_ERR_BUFFER_TOO_SMALL.
 *
 * @code
 * static const bmqtt_azure_device_t dev = { BMQTT_VIEW_LIT("myhub"), BMQTT_VIEW_LIT("dev1"),
 *                                           BMQTT_VIEW_LIT("<base64 key>"), 0 };
 * bmqtt_azure_device_t d = dev;
 * static char cred[BMQTT_CLOUD_CREDENTIALS_MAX];
 * bmqtt_connect_t c = { 0 };
 * d.expiry_s = sntp_now_s() + 3600;
 * if (bmqtt_azure_credentials(&d, cred, sizeof cred, NULL, &c) == BMQTT_OK) connect_over_tls(&c);
 * @endcode
 */
#ifndef BMQTT_CLOUD_H
#define BMQTT_CLOUD_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/codec.h"
#include "bmqtt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Statuses of the cloud layer (its range of bmqtt_status_t; bmqtt_status_str() names them). */
#define BMQTT_ERR_CLOUD_KEEPALIVE ((bmqtt_status_t)(BMQTT_STATUS_CLOUD_BASE - 0)) /**< Keepalive outside the cloud's range (Aliyun: 30..1200 s). */
#define BMQTT_ERR_CLOUD_QOS ((bmqtt_status_t)(BMQTT_STATUS_CLOUD_BASE - 1)) /**< QoS the cloud does not support (QoS 2 on Aliyun, AWS). */
#define BMQTT_ERR_CLOUD_WILL ((bmqtt_status_t)(BMQTT_STATUS_CLOUD_BASE - 2)) /**< A will message, which the cloud does not support (Aliyun). */
#define BMQTT_ERR_CLOUD_RETAIN ((bmqtt_status_t)(BMQTT_STATUS_CLOUD_BASE - 3)) /**< A retained message, which the cloud does not support. */
#define BMQTT_ERR_CLOUD_FIELD ((bmqtt_status_t)(BMQTT_STATUS_CLOUD_BASE - 4)) /**< A credential field too long, or with a forbidden character. */
#define BMQTT_ERR_CLOUD_CRYPTO ((bmqtt_status_t)(BMQTT_STATUS_CLOUD_BASE - 5)) /**< Hash not in this mbedTLS build, a key not base64, or mbedTLS failed. */
#define BMQTT_ERR_CLOUD_REPLY ((bmqtt_status_t)(BMQTT_STATUS_CLOUD_BASE - 6)) /**< A cloud's reply (e.g. Aliyun /ext/register) is not what was expected. */

/** Hash of an HMAC (or of Baidu's plain hash). Same values as bmqtt_aliyun_sign_t. */
typedef enum bmqtt_cloud_hash {
    BMQTT_CLOUD_SHA256 = 0, /**< The zero value; in the shipped MCU mbedTLS config. */
    BMQTT_CLOUD_SHA1 = 1,   /**< Needs MBEDTLS_SHA1_C. */
    BMQTT_CLOUD_MD5 = 2     /**< Needs MBEDTLS_MD5_C. */
} bmqtt_cloud_hash_t;

/** Longest text field of these structs, in bytes (BMQTT_ERR_CLOUD_FIELD beyond), unless
 *  a tighter rule applies (Azure hub 63, Tencent ProductId 32 and connid exactly 5,
 *  Huawei hour exactly 10). A base64 key (Azure key, Tencent psk, OneNET key) is
 *  bounded by what it decodes to, at most this many bytes: up to 172 characters, in
 *  whole groups of four ('=' padding, no blanks or line breaks). Longer text, or more
 *  than 128 decoded bytes, is BMQTT_ERR_CLOUD_FIELD; text that is not such base64 is
 *  BMQTT_ERR_CLOUD_CRYPTO. */
#define BMQTT_CLOUD_FIELD_MAX 128u
/** Buffer bytes enough for any credentials function here with text fields of up to 64
 *  bytes, keys of up to 64 bytes (decoded) and any expiry or timestamp. */
#define BMQTT_CLOUD_CREDENTIALS_MAX 640u

/* ------------------------------------------------------------------------ */
/* Limits                                                                   */
/* ------------------------------------------------------------------------ */

/** What a cloud accepts; a check reports the first field outside it. */
typedef struct bmqtt_cloud_limits {
    uint16_t keepalive_min_s; /**< Lowest keepalive accepted (0 then also refused when this is not 0). */
    uint16_t keepalive_max_s; /**< Highest keepalive; 0: no upper limit. */
    uint8_t max_qos;          /**< Highest QoS of PUBLISH and SUBSCRIBE. */
    uint8_t will;             /**< 1: a will message is allowed. */
    uint8_t retain;           /**< 1: retained messages are allowed. */
} bmqtt_cloud_limits_t;

/** Aliyun: keepalive 30..1200 s, QoS 0/1, no will, no retain. */
extern const bmqtt_cloud_limits_t bmqtt_cloud_limits_aliyun;
/** AWS IoT Core: keepalive 30..1200 s, QoS 0/1 (will and retain allowed). */
extern const bmqtt_cloud_limits_t bmqtt_cloud_limits_aws;

/**
 * @brief Check CONNECT fields against @p lim; nothing is changed.
 * @return BMQTT_OK, BMQTT_ERR_PARAM (NULL), BMQTT_ERR_CLOUD_KEEPALIVE,
 *         BMQTT_ERR_CLOUD_WILL (a will where none is allowed), BMQTT_ERR_CLOUD_QOS
 *         (will QoS), BMQTT_ERR_CLOUD_RETAIN (will retain).
 */
bmqtt_status_t bmqtt_cloud_check_connect(const bmqtt_cloud_limits_t *lim, const bmqtt_connect_t *c);
/** @brief Check a PUBLISH: BMQTT_ERR_CLOUD_QOS, BMQTT_ERR_CLOUD_RETAIN, BMQTT_ERR_PARAM or BMQTT_OK. */
bmqtt_status_t bmqtt_cloud_check_publish(const bmqtt_cloud_limits_t *lim, const bmqtt_publish_t *p);
/** @brief Check SUBSCRIBE entries: BMQTT_ERR_CLOUD_QOS (a QoS above the limit), BMQTT_ERR_PARAM or BMQTT_OK. */
bmqtt_status_t bmqtt_cloud_check_subscribe(const bmqtt_cloud_limits_t *lim, const bmqtt_subscription_t *subs,
                                           size_t count);

/* ------------------------------------------------------------------------ */
/* AWS IoT Core: X.509 mutual TLS, nothing to sign                          */
/* ------------------------------------------------------------------------ */

/** How to reach AWS IoT Core. */
typedef enum bmqtt_aws_mode {
    BMQTT_AWS_MTLS_8883 = 0,      /**< Client certificate on port 8883, no ALPN. */
    BMQTT_AWS_MTLS_443 = 1,       /**< Client certificate on port 443, ALPN "x-amzn-mqtt-ca". */
    BMQTT_AWS_CUSTOM_AUTH_443 = 2 /**< Custom authorizer (user name/password) on 443, ALPN "mqtt". */
} bmqtt_aws_mode_t;

/**
 * @brief Port and ALPN protocol name for @p mode (give the name to the TLS
 *        port's alpn list).
 * @param[out] alpn NULL for no ALPN, else a static string.
 * @return BMQTT_OK or BMQTT_ERR_PARAM (unknown mode, NULL).
 */
bmqtt_status_t bmqtt_aws_endpoint(bmqtt_aws_mode_t mode, uint16_t *port, const char **alpn);

/**
 * @brief Host `<prefix>.iot.<region>.amazonaws.com`, where prefix is the
 *        account's endpoint prefix from the console (e.g. "a1b2c3d4e5f6g7-ats").
 * @param[out] len may be NULL when buf is not; the length without the NUL.
 */
bmqtt_status_t bmqtt_aws_host(bmqtt_view_t prefix, bmqtt_view_t region, char *buf, size_t cap, size_t *len);

/* ------------------------------------------------------------------------ */
/* Azure IoT Hub: SAS token                                                 */
/* ------------------------------------------------------------------------ */

/** The api-version Azure's user name carries. */
#define BMQTT_AZURE_API_VERSION "2021-04-12"

/** An Azure IoT Hub device with a symmetric key. */
typedef struct bmqtt_azure_device {
    bmqtt_view_t hub;       /**< Hub name: the host is \<hub\>.azure-devices.net. */
    bmqtt_view_t device_id; /**< Device id: the MQTT client id. */
    bmqtt_view_t key;       /**< The device's primary or secondary key, base64 as the portal shows it. */
    uint64_t expiry_s;      /**< Unix time (seconds) at which the token stops working. */
} bmqtt_azure_device_t;

/**
 * @brief client id `<deviceId>`; user name
 *        `<hub>.azure-devices.net/<deviceId>/?api-version=2021-04-12`; password
 *        `SharedAccessSignature sr=<sr>&sig=<sig>&se=<expiry>` with
 *        sr = urlencode(`<hub>.azure-devices.net/devices/<deviceId>`) and
 *        sig = urlencode(base64(HMAC-SHA256(base64decode(key), sr + "\n" + expiry))).
 *        TLS only (port 8883).
 */
bmqtt_status_t bmqtt_azure_credentials(const bmqtt_azure_device_t *dev, char *buf, size_t cap, size_t *len,
                                       bmqtt_connect_t *out);

/* ------------------------------------------------------------------------ */
/* Tencent IoT Hub / IoT Explorer                                           */
/* ------------------------------------------------------------------------ */

/** Tencent's documented SDK app id, used when sdkappid is 0. */
#define BMQTT_TENCENT_SDKAPPID 12010126u

/** A Tencent IoT device with a pre-shared key. */
typedef struct bmqtt_tencent_device {
    bmqtt_view_t product_id;  /**< ProductId (letters and digits). */
    bmqtt_view_t device_name; /**< DeviceName. */
    bmqtt_view_t psk;         /**< Device PSK, base64. */
    bmqtt_view_t connid;      /**< 5 random letters or digits from your RNG. */
    uint64_t expiry_s;        /**< Unix time (seconds) at which the password stops working. */
    uint32_t sdkappid;        /**< 0: BMQTT_TENCENT_SDKAPPID. */
    uint8_t hash;             /**< BMQTT_CLOUD_SHA256 or BMQTT_CLOUD_SHA1. */
} bmqtt_tencent_device_t;

/**
 * @brief client id `<pid><dn>`; user name `<pid><dn>;<sdkappid>;<connid>;<expiry>`;
 *        password `lowerhex(HMAC(base64decode(psk), username));hmacsha256` (or `;hmacsha1`).
 */
bmqtt_status_t bmqtt_tencent_credentials(const bmqtt_tencent_device_t *dev, char *buf, size_t cap, size_t *len,
                                         bmqtt_connect_t *out);

/** @brief Host `<pid>.iotcloud.tencentdevices.com`. As bmqtt_aws_host(). */
bmqtt_status_t bmqtt_tencent_host(bmqtt_view_t product_id, char *buf, size_t cap, size_t *len);

/* ------------------------------------------------------------------------ */
/* Huawei Cloud IoTDA                                                       */
/* ------------------------------------------------------------------------ */

/** A Huawei IoTDA device with a secret. */
typedef struct bmqtt_huawei_device {
    bmqtt_view_t device_id; /**< device_id (the user name). */
    bmqtt_view_t secret;    /**< The device secret. */
    bmqtt_view_t hour;      /**< UTC hour YYYYMMDDHH (10 digits), e.g. from bmqtt_huawei_hour(). */
    uint8_t check_time;     /**< 1: the platform checks the hour against its clock; 0: it does not. */
} bmqtt_huawei_device_t;

/**
 * @brief client id `<device_id>_0_<check_time>_<hour>`; user name `<device_id>`;
 *        password `lowerhex(HMAC-SHA256(key = hour, msg = secret))` (the key is the hour).
 */
bmqtt_status_t bmqtt_huawei_credentials(const bmqtt_huawei_device_t *dev, char *buf, size_t cap, size_t *len,
                                        bmqtt_connect_t *out);

/**
 * @brief Format Unix time @p unix_s as the UTC hour YYYYMMDDHH plus a NUL.
 * @return BMQTT_OK, or BMQTT_ERR_PARAM for NULL or a year after 9999.
 */
bmqtt_status_t bmqtt_huawei_hour(uint64_t unix_s, char out[11]);

/* ------------------------------------------------------------------------ */
/* China Mobile OneNET                                                      */
/* ------------------------------------------------------------------------ */

/** A OneNET device (the token is signed with the device or the product key). */
typedef struct bmqtt_onenet_device {
    bmqtt_view_t product_id;  /**< Product id: the user name. */
    bmqtt_view_t device_name; /**< Device name: the client id. */
    bmqtt_view_t key;         /**< Access key, base64. */
    uint64_t expiry_s;        /**< et: Unix time (seconds) at which the token stops working. */
    uint8_t hash;             /**< bmqtt_cloud_hash_t: method=sha256, sha1 or md5. */
} bmqtt_onenet_device_t;

/**
 * @brief client id `<dev>`; user name `<pid>`; password
 *        `version=2018-10-31&res=products%2F<pid>%2Fdevices%2F<dev>&et=<et>&method=<m>&sign=<s>`
 *        with s = urlencode(base64(HMAC(base64decode(key),
 *        "\<et\>\n\<m\>\nproducts/\<pid\>/devices/\<dev\>\n2018-10-31"))).
 */
bmqtt_status_t bmqtt_onenet_credentials(const bmqtt_onenet_device_t *dev, char *buf, size_t cap, size_t *len,
                                        bmqtt_connect_t *out);

/* ------------------------------------------------------------------------ */
/* Baidu IoT Core (signature authentication)                                */
/* ------------------------------------------------------------------------ */

/** A Baidu IoT Core device. */
typedef struct bmqtt_baidu_device {
    bmqtt_view_t core_id;    /**< IoT Core id (the host is \<coreId\>.iot.\<region\>.baidubce.com). */
    bmqtt_view_t device_key; /**< deviceKey; also sent as the client id. */
    bmqtt_view_t secret;     /**< deviceSecret. */
    uint64_t timestamp_s;    /**< Unix seconds, or 0 (accepted without a time check). */
} bmqtt_baidu_device_t;

/**
 * @brief client id `<deviceKey>`; user name `thingidp@<coreId>|<deviceKey>|<ts>|MD5`;
 *        password `lowerhex(MD5("<deviceKey>&<ts>&MD5<secret>"))` (a plain hash). Needs MBEDTLS_MD5_C.
 */
bmqtt_status_t bmqtt_baidu_credentials(const bmqtt_baidu_device_t *dev, char *buf, size_t cap, size_t *len,
                                       bmqtt_connect_t *out);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_CLOUD_H */
