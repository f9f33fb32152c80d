/*
 * The calls of tests/qemu/link_codec_client.c made to coreMQTT v2.3.x's
 * serializer (core_mqtt_serializer.c, MQTT 3.1.1), for `make size-coremqtt`:
 * size then serialize CONNECT, SUBSCRIBE and PUBLISH, serialize PINGREQ,
 * DISCONNECT and PUBACK; read the fixed header from the receive buffer
 * (MQTT_ProcessIncomingPacketTypeAndLength), then deserialize a PUBLISH or
 * one of CONNACK, SUBACK, PUBACK, PINGRESP (MQTT_DeserializeAck). coreMQTT
 * itself is not part of bmqtt: the make target takes its sources from a path.
 * Never run.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_mqtt_serializer.h"

static uint8_t buf[512];
volatile size_t rx_len;
volatile uint16_t id;

int main(void);
int main(void)
{
    const MQTTConnectInfo_t c = { .cleanSession = true, .keepAliveSeconds = 60, .pClientIdentifier = "dev1",
                                  .clientIdentifierLength = 4, .pUserName = "user", .userNameLength = 4,
                                  .pPassword = "secret", .passwordLength = 6 };
    const MQTTSubscribeInfo_t sub = { .qos = MQTTQoS1, .pTopicFilter = "cmd/#", .topicFilterLength = 5 };
    const MQTTPublishInfo_t pub = { .qos = MQTTQoS1, .pTopicName = "t/1", .topicNameLength = 3,
                                    .pPayload = "21.5", .payloadLength = 4 };
    const MQTTFixedBuffer_t fb = { buf, sizeof buf };
    MQTTPacketInfo_t in = { 0 };
    MQTTPublishInfo_t got;
    size_t rem, size, index = rx_len;
    uint16_t pid;
    bool session;
    int bad = 0;

    bad |= MQTT_GetConnectPacketSize(&c, NULL, &rem, &size) != MQTTSuccess;
    bad |= MQTT_SerializeConnect(&c, NULL, rem, &fb) != MQTTSuccess;
    bad |= MQTT_GetSubscribePacketSize(&sub, 1, &rem, &size) != MQTTSuccess;
    bad |= MQTT_SerializeSubscribe(&sub, 1, id, rem, &fb) != MQTTSuccess;
    bad |= MQTT_GetPublishPacketSize(&pub, &rem, &size) != MQTTSuccess;
    bad |= MQTT_SerializePublish(&pub, 1, rem, &fb) != MQTTSuccess;
    bad |= MQTT_SerializePingreq(&fb) != MQTTSuccess;
    bad |= MQTT_SerializeDisconnect(&fb) != MQTTSuccess;
    bad |= MQTT_SerializeAck(&fb, MQTT_PACKET_TYPE_PUBACK, id) != MQTTSuccess;
    /* The fixed header, then the body it describes. */
    bad |= MQTT_ProcessIncomingPacketTypeAndLength(buf, &index, &in) != MQTTSuccess;
    in.pRemainingData = buf + in.headerLength;
    if ((in.type & 0xF0u) == MQTT_PACKET_TYPE_PUBLISH)
        bad |= MQTT_DeserializePublish(&in, &pid, &got) != MQTTSuccess;
    else
        bad |= MQTT_DeserializeAck(&in, &pid, &session) != MQTTSuccess;
    return bad;
}
