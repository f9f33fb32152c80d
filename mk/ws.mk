# WebSocket port (port/websocket) and its tests: the client over ws and wss against
# mosquitto's websockets listener and RabbitMQ's web MQTT, and a hostile WebSocket
# server of our own (see docs/WEBSOCKET.md, docs/TESTING.md).
#
#   make test-ws      API checks, mosquitto ws/wss, RabbitMQ, the hostile server
#                     (under ASan + UBSan); tests/ws/run.sh
#   make ws-size      the port's flash size for Cortex-M4 -Os (its two files), and its RAM
#   make ws-stack     its worst-case stack per public function (Cortex-M4 -Os)

WS_INCS := $(addprefix -I,$(BMQTT_WS_INCS) $(BMQTT_TLS_INCS)) -Iexamples/posix
WS_BIN  := $(BUILD)/ws_test
WS_OBJS := $(BUILD)/obj/tests/ws/ws_test.o $(BUILD)/obj/tests/ws/ws_api.o $(BUILD)/obj/examples/posix/cli_url.o \
           $(BUILD)/obj/examples/posix/cli_proxy.o \
           $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_WS_SRCS) $(BMQTT_TLS_SRCS) $(BMQTT_POSIX_SRCS))

$(BUILD)/obj/port/websocket/%.o $(BUILD)/obj/tests/ws/%.o $(BUILD)/obj/examples/posix/cli_url.o: INC += $(WS_INCS)

$(WS_BIN): $(WS_OBJS) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -lmbedtls -lmbedx509 -lmbedcrypto -o $@

WS_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: test-ws ws-size ws-stack ws-heapcheck
test-ws: $(WS_BIN) ws-heapcheck
	@scripts/deps.sh mosquitto mosquitto-clients libmbedtls-dev openssl rabbitmq-server
	@$(MAKE) -s --no-print-directory BUILD=$(BUILD)/ws-asan CFLAGS="-O1 -g $(WS_SAN)" LDFLAGS="$(WS_SAN)" \
	  $(BUILD)/ws-asan/ws_test
	@tests/ws/run.sh $(WS_BIN) $(BUILD)/ws-asan/ws_test

EXTRA_TESTS += test-ws

# The port alone (no mbedTLS header in reach: a plain-ws firmware builds it so), then RAM.
WS_SIZE_CC = $(CROSS)gcc -Os $(CROSS_CPU) -ffunction-sections -fdata-sections $(LIB_WARN) -Iinclude -Iport/websocket
ws-size:
	@mkdir -p $(BUILD)/ws-size
	$(WS_SIZE_CC) -c port/websocket/bmqtt_ws.c -o $(BUILD)/ws-size/bmqtt_ws-m4.o
	$(WS_SIZE_CC) -c port/websocket/bmqtt_ws_handshake.c -o $(BUILD)/ws-size/bmqtt_ws_handshake-m4.o
	$(CROSS)size -t $(BUILD)/ws-size/bmqtt_ws-m4.o $(BUILD)/ws-size/bmqtt_ws_handshake-m4.o
	@printf '#include "bmqtt_ws.h"\nextern bmqtt_ws_t ws_ctx;\nbmqtt_ws_t ws_ctx;\n' | $(WS_SIZE_CC) -xc -c - -o $(BUILD)/ws-size/ctx.o
	@echo "ws-size: sizeof(bmqtt_ws_t) on Cortex-M4 = $$(( 0x$$($(CROSS)nm -S $(BUILD)/ws-size/ctx.o | awk '/ws_ctx/ { print $$2 }') )) B"

# Worst-case stack per public function of the port (GCC's call graph, scripts/stack.py), Cortex-M4 -Os.
ws-stack:
	@mkdir -p $(BUILD)/ws-stack
	@cd $(BUILD)/ws-stack && $(CROSS)gcc -Os $(CROSS_CPU) -fcallgraph-info=su $(LIB_WARN) -I$(CURDIR)/include \
	  -I$(CURDIR)/port/websocket -c $(CURDIR)/port/websocket/bmqtt_ws.c -o bmqtt_ws.o
	@cd $(BUILD)/ws-stack && $(CROSS)gcc -Os $(CROSS_CPU) -fcallgraph-info=su $(LIB_WARN) -I$(CURDIR)/include \
	  -I$(CURDIR)/port/websocket -c $(CURDIR)/port/websocket/bmqtt_ws_handshake.c -o bmqtt_ws_handshake.o
	@python3 scripts/stack.py $(BUILD)/ws-stack/bmqtt_ws.ci $(BUILD)/ws-stack/bmqtt_ws_handshake.ci | awk '/^$$/ { exit } { print }'

# The port must never reach for the heap (like the library's heapcheck).
ws-heapcheck: $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_WS_SRCS))
	@if nm -u $^ | grep -wE 'malloc|calloc|realloc|free'; then \
	  echo "ws-heapcheck: FAIL: port/websocket references the heap"; exit 1; \
	else echo "ws-heapcheck: OK: port/websocket references no malloc/calloc/realloc/free"; fi
