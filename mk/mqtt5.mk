# MQTT 5.0 codec against independent peers (docs/MQTT5.md, tests/mqtt5/).
#
#   make test-mqtt5   1. mosquitto_pub, mosquitto_sub (-V 5, -D properties) and a Paho MQTTv5
#                        client send to a recording broker of ours (tests/mqtt5/recorder.py);
#                        server packets get their properties packed by Paho; every capture,
#                        and the committed ones in tests/vectors/mqtt5/captures, decode to the
#                        fields the peers were given (tests/mqtt5/peers.py, mqtt5_dump.c);
#                     2. bmqtt's encodings against a real mosquitto over the POSIX port
#                        (tests/mqtt5/mqtt5_mosquitto.c), a mosquitto_sub -V 5 -F showing
#                        the properties it receives. Both programs under ASan + UBSan.

MQTT5_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

$(BUILD)/mqtt5_dump: $(BUILD)/obj/tests/mqtt5/mqtt5_dump.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

$(BUILD)/mqtt5_mosquitto: $(BUILD)/obj/tests/mqtt5/mqtt5_mosquitto.o $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

.PHONY: test-mqtt5
test-mqtt5:
	@scripts/deps.sh build-essential mosquitto mosquitto-clients python3-paho-mqtt
	@$(MAKE) -s --no-print-directory BUILD=$(BUILD)/mqtt5-asan CFLAGS="-O1 -g $(MQTT5_SAN)" LDFLAGS="$(MQTT5_SAN)" \
	  $(BUILD)/mqtt5-asan/mqtt5_dump $(BUILD)/mqtt5-asan/mqtt5_mosquitto
	@tests/mqtt5/run.sh $(BUILD)/mqtt5-asan/mqtt5_dump $(BUILD)/mqtt5-asan/mqtt5_mosquitto

EXTRA_TESTS += test-mqtt5
