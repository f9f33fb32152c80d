// bmqtt on an Arduino: connect, subscribe to "arduino/led", publish a reading every 5 s.
//
// The network is any Arduino Client. This sketch runs on a bare board (an ATmega2560 or any
// other) by carrying MQTT's bytes over the USB serial port, with the PC joining it to a broker:
//
//     socat /dev/ttyACM0,b115200,raw,echo=0 TCP:localhost:1883
//
// With a network shield or module, use its Client instead and delete StreamClient.h:
//     #include <Ethernet.h>   EthernetClient net;     (or WiFiClient, WiFiClientSecure...)
// and call bmqtt_arduino_connect(&link, &net, "broker.local", 1883, &tr) in connectBroker().
#include <bmqtt.h>

#include "StreamClient.h"

StreamClient net(Serial);               // the Client: replace with EthernetClient, WiFiClient...

static uint8_t txBuf[256], rxBuf[128];  // every buffer is the sketch's: nothing is allocated
static bmqtt_inflight_t inflight[2];    // outgoing QoS 1/2 messages until acknowledged
static uint16_t qos2Ids[2];             // incoming QoS 2 ids until PUBREL
static bmqtt_client_t client;
static bmqtt_arduino_t link;
static bmqtt_transport_t tr;
static uint32_t lastReport;
static bool wantSubscribe;

static void onEvent(void *user, const bmqtt_event_t *ev)
{
  (void)user;
  if (ev->type == BMQTT_EVT_CONNACK && ev->status == BMQTT_OK) wantSubscribe = true;
  if (ev->type == BMQTT_EVT_MESSAGE && ev->message->payload.len > 0) {
    digitalWrite(LED_BUILTIN, ev->message->payload.ptr[0] == '1' ? HIGH : LOW);
  }
}

static void connectBroker()
{
  bmqtt_connect_t conn = {};
  conn.client_id = bmqtt_view_str("arduino-1");
  conn.clean_session = 1;
  conn.keepalive_s = 60;
  bmqtt_arduino_transport(&link, &net, &tr);   // a connected Client: bmqtt_arduino_connect() does both
  bmqtt_client_connect(&client, &tr, &conn, millis());
}

void setup()
{
  static bmqtt_client_config_t cfg = {};
  pinMode(LED_BUILTIN, OUTPUT);
  Serial.begin(115200);
  cfg.tx_buf = txBuf;
  cfg.tx_size = sizeof txBuf;
  cfg.rx_buf = rxBuf;
  cfg.rx_size = sizeof rxBuf;
  cfg.inflight = inflight;
  cfg.inflight_count = 2;
  cfg.qos2_ids = qos2Ids;
  cfg.qos2_count = 2;
  cfg.on_event = onEvent;
  bmqtt_client_init(&client, &cfg);
  connectBroker();
}

void loop()
{
  bmqtt_status_t st = bmqtt_client_poll(&client, millis());
  if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
    delay(2000);                                 // the session ended: start again
    connectBroker();
    return;
  }
  if (wantSubscribe) {
    bmqtt_subscription_t led = {};
    led.filter = bmqtt_view_str("arduino/led");
    led.qos = 1;
    wantSubscribe = bmqtt_client_subscribe(&client, &led, 1, NULL) != BMQTT_OK;
  }
  if (bmqtt_client_state(&client) == BMQTT_CLIENT_CONNECTED && millis() - lastReport >= 5000) {
    char text[12];
    bmqtt_publish_t msg = {};
    lastReport = millis();
    itoa(analogRead(A0), text, 10);
    msg.topic = bmqtt_view_str("arduino/a0");
    msg.payload = bmqtt_view_str(text);
    msg.qos = 1;
    bmqtt_client_publish(&client, &msg, NULL);
  }
}
