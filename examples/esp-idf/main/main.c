/*
 * bmqtt on ESP-IDF: join Wi-Fi, connect to the broker over port/lwip (ESP-IDF's lwIP sockets),
 * optionally through port/mbedtls (ESP-IDF's mbedTLS), subscribe to "esp/led" and publish a
 * counter to "esp/count" every 5 s, reconnecting with bmqtt_reconnect's backoff.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "esp_random.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "nvs_flash.h"
#include "sdkconfig.h"

#include "bmqtt/client.h"
#include "bmqtt_lwip.h"
#include "bmqtt_tls.h"

static const char *TAG = "bmqtt";
static EventGroupHandle_t wifi_events;
#define WIFI_UP BIT0

extern const uint8_t ca_pem_start[] asm("_binary_ca_pem_start");
extern const uint8_t ca_pem_end[] asm("_binary_ca_pem_end");

static uint8_t tx[1024], rx[512], outbox[1024];
static bmqtt_inflight_t inflight[8];
static uint16_t qos2_ids[8];
static bmqtt_client_t client;
static bmqtt_lwip_t sock;
static bmqtt_tls_t tls;

static void on_wifi(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg; (void)data;
    if (base == WIFI_EVENT && (id == WIFI_EVENT_STA_START || id == WIFI_EVENT_STA_DISCONNECTED)) {
        xEventGroupClearBits(wifi_events, WIFI_UP);
        esp_wifi_connect();
    } else if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
        xEventGroupSetBits(wifi_events, WIFI_UP);
    }
}

static void wifi_start(void)
{
    wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    wifi_config_t sta = { 0 };
    wifi_events = xEventGroupCreate();
    ESP_ERROR_CHECK(esp_netif_init());
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    esp_netif_create_default_wifi_sta();
    ESP_ERROR_CHECK(esp_wifi_init(&init));
    ESP_ERROR_CHECK(esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi, NULL));
    ESP_ERROR_CHECK(esp_event_handler_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_wifi, NULL));
    strncpy((char *)sta.sta.ssid, CONFIG_BMQTT_EXAMPLE_WIFI_SSID, sizeof sta.sta.ssid);
    strncpy((char *)sta.sta.password, CONFIG_BMQTT_EXAMPLE_WIFI_PASSWORD, sizeof sta.sta.password);
    ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
    ESP_ERROR_CHECK(esp_wifi_set_config(WIFI_IF_STA, &sta));
    ESP_ERROR_CHECK(esp_wifi_start());
}

/* port/mbedtls's hooks: the chip's hardware RNG, and the clock (set it with SNTP for
 * certificate dates; before that, bmqtt_tls_time_unchecked() says they were not checked). */
static int entropy(void *ctx, unsigned char *out, size_t len, size_t *olen)
{
    (void)ctx;
    esp_fill_random(out, len);
    *olen = len;
    return 0;
}

static int64_t now_s(void *ctx)
{
    (void)ctx;
    time_t t = time(NULL);
    return t > 1600000000 ? (int64_t)t : -1;
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_MESSAGE) {
        ESP_LOGI(TAG, "%.*s: %.*s", (int)ev->message->topic.len, (const char *)ev->message->topic.ptr,
                 (int)ev->message->payload.len, (const char *)ev->message->payload.ptr);
    } else if (ev->type == BMQTT_EVT_CONNACK && ev->status == BMQTT_OK) {
        bmqtt_subscription_t led = { BMQTT_VIEW("esp/led"), 1 };
        bmqtt_client_subscribe(&client, &led, 1, NULL);
    }
}

/* One session: open the transport (TCP, TLS over it), CONNECT, publish until it ends. */
static bmqtt_status_t session(void)
{
    bmqtt_transport_t tcp, tr;
    bmqtt_connect_t conn = { .client_id = BMQTT_VIEW("esp-idf-1"), .clean_session = 1, .keepalive_s = 60 };
    bmqtt_status_t st = bmqtt_lwip_connect(&sock, CONFIG_BMQTT_EXAMPLE_BROKER, CONFIG_BMQTT_EXAMPLE_PORT, 10000);
    uint32_t next = 0, count = 0;

    if (st != BMQTT_OK) return st;
    bmqtt_lwip_transport(&sock, &tcp);
    tr = tcp;
#if CONFIG_BMQTT_EXAMPLE_TLS
    bmqtt_tls_config_t tc = { .host = CONFIG_BMQTT_EXAMPLE_BROKER, .ca = ca_pem_start,
                              .ca_len = (size_t)(ca_pem_end - ca_pem_start), .entropy = entropy, .now = now_s };
    bmqtt_tls_init(&tls);
    if ((st = bmqtt_tls_setup(&tls, &tc, &tcp)) != BMQTT_OK) {
        bmqtt_lwip_close(&sock);
        return st;
    }
    bmqtt_tls_transport(&tls, &tr);
#else
    (void)entropy; (void)now_s; (void)tls;
#endif
    bmqtt_client_connect(&client, &tr, &conn, bmqtt_lwip_now_ms());
    for (;;) {
        uint32_t now = bmqtt_lwip_now_ms();
        st = bmqtt_client_poll(&client, now);
        if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) break;
        if (bmqtt_client_state(&client) == BMQTT_CLIENT_CONNECTED && (int32_t)(now - next) >= 0) {
            char text[12];
            bmqtt_publish_t msg = { .topic = BMQTT_VIEW("esp/count"), .qos = 1 };
            snprintf(text, sizeof text, "%lu", (unsigned long)count++);
            msg.payload = bmqtt_view_str(text);
            bmqtt_client_publish(&client, &msg, NULL);
            next = now + 5000;
        }
        uint32_t wait = bmqtt_client_next_deadline(&client, now);     /* ms; sleep until then */
        bmqtt_lwip_wait(&sock, 0, wait < 100 ? wait : 100);          /* or until bytes arrive */
    }
#if CONFIG_BMQTT_EXAMPLE_TLS
    bmqtt_tls_free(&tls);
#endif
    return st;
}

void app_main(void)
{
    static const bmqtt_client_config_t cfg = { .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx,
        .rx_size = sizeof rx, .inflight = inflight, .inflight_count = 8, .qos2_ids = qos2_ids,
        .qos2_count = 8, .on_event = on_event };
    esp_err_t err = nvs_flash_init();
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);
    wifi_start();
    bmqtt_client_init(&client, &cfg);
    bmqtt_client_set_outbox(&client, outbox, sizeof outbox);
    bmqtt_lwip_init(&sock);
    for (;;) {
        xEventGroupWaitBits(wifi_events, WIFI_UP, pdFALSE, pdTRUE, portMAX_DELAY);
        bmqtt_status_t st = session();
        ESP_LOGW(TAG, "session ended: %s; again in 5 s", bmqtt_status_str(st));
        vTaskDelay(pdMS_TO_TICKS(5000));
    }
}
