# The ESP-AT MQTT front end (include/bmqtt/at.h, src/at/) and its program and tests.
#
#   make at            build/bmqtt-at: the interpreter on stdin/stdout or --tty PATH
#   make test-at       the transcript tests: bmqtt-at on a pseudo-terminal against a real
#                      mosquitto (TCP and TLS), mosquitto_sub/mosquitto_pub as the peer,
#                      and the host driver tests/at/host_driver.c (tests/at/run.sh)
#   make at-cross      src/at and the STM32 USART glue example for Cortex-M4 (-Os), sizes
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

$(AT_BIN): $(BUILD)/obj/examples/at/bmqtt_at_main.o $(AT_OBJS) $(BUILD)/obj/port/mbedtls/bmqtt_tls.o \
           $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_WS_SRCS)) $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(AT_LDLIBS) -o $@

$(AT_DRIVER): $(BUILD)/obj/tests/at/host_driver.o
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

.PHONY: at test-at at-cross
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

EXTRA_TESTS += test-at

# Cortex-M4: the interpreter as a firmware builds it, and the STM32 glue example compiled
# against it (the glue's CMSIS-like register block is declared in the example itself).
AT_CROSS_FLAGS := -Os $(CROSS_CPU) -ffunction-sections -fdata-sections $(LIB_WARN) -Iinclude
at-cross:
	@mkdir -p $(BUILD)/at-m4
	$(CROSS)gcc $(AT_CROSS_FLAGS) -c src/at/bmqtt_at.c -o $(BUILD)/at-m4/bmqtt_at.o
	$(CROSS)gcc $(AT_CROSS_FLAGS) -c examples/at/stm32_uart_glue.c -o $(BUILD)/at-m4/stm32_uart_glue.o
	$(CROSS)size $(BUILD)/at-m4/bmqtt_at.o $(BUILD)/at-m4/stm32_uart_glue.o

# fuzz_at (mk/fuzz.mk runs it in make fuzz / test-fuzz): the interpreter with the client, codec
# and an in-memory broker; seeds in tests/fuzz/seeds-at, words in tests/fuzz/at.dict.
$(BUILD)/fuzz/fuzz_at: tests/fuzz/fuzz_at.c $(BMQTT_SRCS) $(BMQTT_AT_SRCS) include/bmqtt/at.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(BMQTT_SRCS) $(BMQTT_AT_SRCS) -o $@

$(BUILD)/afl/fuzz_at: tests/fuzz/fuzz_at.c $(BMQTT_SRCS) $(BMQTT_AT_SRCS) include/bmqtt/at.h
	@mkdir -p $(dir $@)
	AFL_QUIET=1 afl-clang-fast -g -O1 -fsanitize=fuzzer -Iinclude $< $(BMQTT_SRCS) $(BMQTT_AT_SRCS) -o $@
