# The ESP-AT MQTT front end (include/bmqtt/at.h, src/at/) and its program and tests.
#
#   make at            build/bmqtt-at: the interpreter on stdin/stdout or --tty PATH
#   make test-at       the transcript tests: bmqtt-at on a pseudo-terminal against a real
#                      mosquitto (TCP and TLS), mosquitto_sub/mosquitto_pub as the peer,
#                      and the host driver tests/at/host_driver.c (tests/at/run.sh)
#   make at-cross      src/at, the STM32 USART glue and its lwIP (+ TLS, WebSocket) network hook for
#                      Cortex-M4 (-Os): sizes, worst-case stack
#
# tests/unit/test_at.c (CMocka, a scripted in-memory broker) runs in make test-unit
# and test-asan with the AT objects linked in (the rule below), and on QEMU (mk/metal.mk).

AT_OBJS    := $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_AT_SRCS))
AT_BIN     := $(BUILD)/bmqtt-at
AT_DRIVER  := $(BUILD)/at_host_driver
AT_LDLIBS  := -lmbedtls -lmbedx509 -lmbedcrypto

$(BUILD)/tests/test_at: $(BUILD)/obj/tests/unit/test_at.o $(SUPPORT_OBJS) $(AT_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -lcmocka -o $@

$(BUILD)/obj/examples/at/%.o: INC += -Iport/mbedtls -Iport/websocket

$(AT_BIN): $(BUILD)/obj/examples/at/bmqtt_at_main.o $(BUILD)/obj/examples/at/at_station.o $(AT_OBJS) $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_TLS_SRCS)) \
           $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_WS_SRCS)) $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(AT_LDLIBS) -o $@

$(AT_DRIVER): $(BUILD)/obj/tests/at/host_driver.o
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

.PHONY: at test-at at-cross at-cross-build
at:
	@scripts/deps.sh build-essential libmbedtls-dev
	@$(MAKE) --no-print-directory $(AT_BIN)

test-at:
	@scripts/deps.sh build-essential libmbedtls-dev mosquitto mosquitto-clients openssl python3
	@$(MAKE) --no-print-directory $(AT_BIN) $(AT_DRIVER)
	@if nm -u $(AT_OBJS) | grep -wE 'malloc|calloc|realloc|free'; then \
	  echo "test-at: FAIL: src/at references the heap"; exit 1; \
	else echo "test-at: src/at references no malloc/calloc/realloc/free"; fi
	@AT_BIN=$(AT_BIN) AT_DRIVER=$(AT_DRIVER) tests/at/run.sh

EXTRA_TESTS += test-at at-cross

# Cortex-M4: the interpreter as a firmware builds it, the STM32 glue example compiled
# against it (the glue declares the few USART registers it uses), and an image of the glue,
# interpreter, client and codec linked with --gc-sections (tests/at/link_at_m4.c).
AT_CROSS_FLAGS = -Os $(CROSS_CPU) -ffunction-sections -fdata-sections $(LIB_WARN) -Iinclude
AT_M4_SRCS     = $(BMQTT_SRCS) $(BMQTT_AT_SRCS) examples/at/stm32_uart_glue.c tests/at/link_at_m4.c
AT_M4_OBJS     = $(foreach f,$(BMQTT_AT_SRCS),$(BUILD)/at-m4/$(basename $(notdir $(f))).o)
at-cross:
	@scripts/deps.sh gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi liblwip-dev pkg-config \
	  libmbedtls-dev python3
	@$(MAKE) --no-print-directory at-cross-build

# The network example on lwIP (+ mbedTLS and WebSocket): lwIP's headers as mk/lwip.mk links them.
at-cross-build:
	@mkdir -p $(BUILD)/at-m4 $(LWIP_X)/inc $(LWIP_X)/mbedtls-inc
	@ln -sfn $(LWIP_INCDIR)/lwip $(LWIP_X)/inc/lwip
	@ln -sfn $(LWIP_INCDIR)/netif $(LWIP_X)/inc/netif
	@ln -sfn $$(dirname $$(echo '#include <mbedtls/version.h>' | $(CC) -M -xc - | tr ' ' '\n' | grep 'mbedtls/version.h')) \
	  $(LWIP_X)/mbedtls-inc/mbedtls
	$(CROSS)gcc $(LWIP_X_FLAGS) -c examples/at/stm32_net_lwip.c -o $(BUILD)/at-m4/stm32_net_lwip.o
	$(CROSS)gcc $(LWIP_X_FLAGS) $(LWIP_X_TLS) -Iport/websocket -c examples/at/at_layers.c -o $(BUILD)/at-m4/at_layers.o
	$(CROSS)gcc $(LWIP_X_FLAGS) $(LWIP_X_TLS) -Iport/websocket -c examples/at/stm32_net_lwip.c \
	  -o $(BUILD)/at-m4/stm32_net_lwip_tls.o
	@set -e; for f in $(AT_M4_SRCS); do \
	  $(CROSS)gcc $(AT_CROSS_FLAGS) -c $$f -o $(BUILD)/at-m4/$$(basename $$f .c).o; done
	$(CROSS)gcc $(CROSS_CPU) -Os --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections \
	  $(foreach f,$(AT_M4_SRCS),$(BUILD)/at-m4/$(basename $(notdir $(f))).o) -o $(BUILD)/at-m4/at-m4.elf
	$(CROSS)size $(AT_M4_OBJS) $(BUILD)/at-m4/stm32_uart_glue.o $(BUILD)/at-m4/stm32_net_lwip.o \
	  $(BUILD)/at-m4/stm32_net_lwip_tls.o $(BUILD)/at-m4/at_layers.o $(BUILD)/at-m4/at-m4.elf
	@$(CROSS)size -t $(AT_M4_OBJS) | tail -1 | awk '{print "at-cross: src/at (all its objects): " $$1 " B text, " $$2 " B data, " $$3 " B bss"}'
	@printf '#include "bmqtt/at.h"\nchar bmqtt_at_size[sizeof(bmqtt_at_t)];\n' >$(BUILD)/at-m4/at_size.c
	@$(CROSS)gcc $(AT_CROSS_FLAGS) -c $(BUILD)/at-m4/at_size.c -o $(BUILD)/at-m4/at_size.o
	@set -- $$($(CROSS)nm -S $(BUILD)/at-m4/at_size.o | grep -w bmqtt_at_size); \
	  echo "at-cross: sizeof(bmqtt_at_t) $$((0x$$2)) B"
	@if $(CROSS)nm -u $(AT_M4_OBJS) | grep -wE 'malloc|calloc|realloc|free'; then \
	  echo "at-cross: src/at references the heap"; exit 1; fi
	@mkdir -p $(BUILD)/at-m4/ci
	@set -e; for f in $(BMQTT_SRCS) $(BMQTT_AT_SRCS); do \
	  $(CROSS)gcc -Os $(CROSS_CPU) -Iinclude -fcallgraph-info=su -dumpdir $(BUILD)/at-m4/ci/ -c $$f \
	    -o $(BUILD)/at-m4/ci/$$(basename $$f .c).o; done
	@python3 scripts/stack.py $(BUILD)/at-m4/ci/*.ci | grep -E '^\| (function|bmqtt_at_(input|poll|init_checked)) '

# fuzz_at (mk/fuzz.mk runs it in make fuzz / test-fuzz): the interpreter with the client, codec
# and an in-memory broker; seeds in tests/fuzz/seeds-at, words in tests/fuzz/at.dict.
$(BUILD)/fuzz/fuzz_at: tests/fuzz/fuzz_at.c $(BMQTT_SRCS) $(BMQTT_AT_SRCS) include/bmqtt/at.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(BMQTT_SRCS) $(BMQTT_AT_SRCS) -o $@

$(BUILD)/afl/fuzz_at: tests/fuzz/fuzz_at.c $(BMQTT_SRCS) $(BMQTT_AT_SRCS) include/bmqtt/at.h
	@mkdir -p $(dir $@)
	AFL_QUIET=1 afl-clang-fast -g -O1 -fsanitize=fuzzer -Iinclude $< $(BMQTT_SRCS) $(BMQTT_AT_SRCS) -o $@
