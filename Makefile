# bmqtt host build, tests and cross build.
#
#   make            libbmqtt.a (codec + client) in build/
#   make test       unit tests, the same under ASan+UBSan, the heap check,
#                   and the integration tests against real brokers
#   make cross      the library for Cortex-M4 (arm-none-eabi-gcc -Os), warning-free
#   make cross-all  ... for Cortex-M0+/M3/M4F/M33 and RV32IMC; make test-qemu: the unit
#                   tests on emulated Cortex-M3/M4 (mk/metal.mk)
#   make size stack cycles   the tables of docs/PERFORMANCE.md, regenerated in place
#   make demo       publish/subscribe round trip against a local mosquitto
#   make cli        build/bmqtt-cli, the command-line client the demo uses
#   make bench      publish rate to a local mosquitto, bmqtt vs mosquitto_pub

BUILD   ?= build
CC      ?= cc
AR      ?= ar
CFLAGS  ?= -O2 -g
LDFLAGS ?=

# Sources are named relative to this directory (bmqtt.mk keeps ?= for firmware builds).
BMQTT_DIR :=
include bmqtt.mk

# The host build uses the POSIX port (examples, integration tests, bench).
BMQTT_PORT_SRCS := $(BMQTT_POSIX_SRCS)
BMQTT_PORT_INCS := $(BMQTT_POSIX_INCS)

# The library gets the strictest warnings; tests and examples slightly fewer.
LIB_WARN  := -std=c99 -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wcast-qual \
             -Wstrict-prototypes -Wmissing-prototypes -Wundef -Werror
TEST_WARN := -std=c11 -Wall -Wextra -Wshadow -Werror -Wno-unused-parameter
INC       := $(addprefix -I,$(BMQTT_INCS) $(BMQTT_PORT_INCS))

LIB       := $(BUILD)/libbmqtt.a
LIB_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_SRCS))
PORT_LIB  := $(BUILD)/libbmqtt_ports.a
PORT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_PORT_SRCS))

SUPPORT_SRCS := $(wildcard tests/support/*.c)
SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(SUPPORT_SRCS))
UNIT_SRCS    := $(wildcard tests/unit/test_*.c)
UNIT_BINS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all deps size stack lib ports unit test test-unit test-asan test-integration heapcheck cross demo cli clean \
        examples integration bench
all: lib
lib: $(LIB)
ports: $(PORT_LIB)

$(BUILD)/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_WARN) $(INC) -MMD -MP -c $< -o $@

$(BUILD)/obj/cloud/%.o: cloud/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_WARN) $(INC) -MMD -MP -c $< -o $@

$(BUILD)/obj/port/%.o: port/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_WARN) -D_POSIX_C_SOURCE=200809L $(INC) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_WARN) -D_GNU_SOURCE $(INC) -Itests/support -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(PORT_LIB): $(PORT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(SUPPORT_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -lcmocka -o $@

unit: $(UNIT_BINS)

# Programs on the POSIX port: the example CLI, integration test programs, benchmarks.
CLI        := $(BUILD)/bmqtt-cli
ITEST_SRCS := $(wildcard tests/integration/itest_*.c)
ITEST_BINS := $(patsubst tests/integration/%.c,$(BUILD)/%,$(ITEST_SRCS))
BENCH_SRCS := $(wildcard bench/bench_*.c)
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/%,$(BENCH_SRCS))

# The CLI also speaks TLS through port/mbedtls (Debian's libmbedtls-dev) and, for -L ws:// and
# wss://, WebSocket through port/websocket (cli_url.c stacks them).
$(BUILD)/obj/examples/posix/%.o: INC += -Iport/mbedtls -Iport/websocket
$(CLI): $(BUILD)/obj/examples/posix/bmqtt_cli.o $(BUILD)/obj/examples/posix/cli_args.o \
        $(BUILD)/obj/examples/posix/cli_trace.o $(BUILD)/obj/examples/posix/cli_url.o \
        $(BUILD)/obj/examples/posix/cli_tls.o $(BUILD)/obj/examples/posix/cli_session.o \
        $(BUILD)/obj/examples/posix/cli_proxy.o $(BUILD)/obj/examples/posix/cli_format.o \
        $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_WS_SRCS)) \
        $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_TLS_SRCS)) $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -lmbedtls -lmbedx509 -lmbedcrypto -o $@

$(BUILD)/itest_%: $(BUILD)/obj/tests/integration/itest_%.o $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

# The hostile-server test reads the malformed table with the test vectors' reader.
$(BUILD)/itest_hostile: $(BUILD)/obj/tests/integration/itest_hostile.o $(SUPPORT_OBJS) $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

# The sensor application of the STM32 examples, run on the POSIX port.
$(BUILD)/obj/tests/integration/itest_sensor.o $(BUILD)/obj/examples/common/%.o: INC += -Iexamples/common
$(BUILD)/itest_sensor: $(BUILD)/obj/tests/integration/itest_sensor.o $(BUILD)/obj/examples/common/sensor_app.o \
        $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

$(BUILD)/bench_%: $(BUILD)/obj/bench/bench_%.o $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

examples: $(CLI)
integration: $(CLI) $(ITEST_BINS)

# Every CMocka binary runs from the repository root (vectors are read from tests/vectors).
# It installs what it builds with first, so it runs on a machine that has only make.
test-unit:
	@scripts/deps.sh build-essential libcmocka-dev
	@$(MAKE) --no-print-directory unit
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
test-asan:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/asan CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" test-unit

# The library must never reach for the heap.
heapcheck: $(LIB)
	@if nm -u $(LIB) | grep -wE 'malloc|calloc|realloc|free'; then \
	  echo "heapcheck: FAIL: $(LIB) references the heap"; exit 1; \
	else echo "heapcheck: OK: $(LIB) references no malloc/calloc/realloc/free"; fi

# bmqtt-cli against a real mosquitto that the script starts and stops.
test-integration: integration
	@tests/integration/run.sh

# Missing Debian packages are installed first (apt-get, as root or through sudo).
deps:
	@scripts/deps.sh

# Each layer beyond the core adds its own rules and tests in mk/<name>.mk
# (EXTRA_TESTS += test-<name>), so layers don't edit this file.
EXTRA_TESTS :=
-include $(wildcard mk/*.mk)

test: deps
	@$(MAKE) --no-print-directory test-unit test-asan heapcheck test-integration $(EXTRA_TESTS)

# Cortex-M4, as a firmware would build it.
CROSS      ?= arm-none-eabi-
CROSS_CPU  ?= -mcpu=cortex-m4 -mthumb
cross:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/cortex-m4 CC=$(CROSS)gcc AR=$(CROSS)ar \
	  CFLAGS="-Os $(CROSS_CPU) -ffunction-sections -fdata-sections" lib
	$(CROSS)size -t $(BUILD)/cortex-m4/libbmqtt.a
	@if $(CROSS)nm -u $(BUILD)/cortex-m4/libbmqtt.a | grep -wE 'malloc|calloc|realloc|free'; then \
	  echo "cross: the Cortex-M4 library references the heap"; exit 1; fi

# Code size per module and port for Cortex-M4 at -Os and -O2, and what a typical client
# link keeps (mk/metal.mk: size-table); the table goes into docs/PERFORMANCE.md.
size:
	@$(MAKE) --no-print-directory size-table

# Worst-case stack per public function for Cortex-M4 -Os, from GCC's call graph;
# the table goes into docs/PERFORMANCE.md (PERF_DOC= only prints it).
# The ports are compiled the way make size compiles them (lwIP's and mbedTLS's installed
# headers, the examples' option files), each into its own call graph.
STACK_PORT_CC = $(CROSS)gcc -Os $(CROSS_CPU) -fcallgraph-info=su $(LIB_WARN) -Iinclude -I$(BUILD)/stack/inc
stack:
	@scripts/deps.sh gcc-arm-none-eabi libnewlib-arm-none-eabi liblwip-dev libmbedtls-dev pkg-config
	@$(MAKE) -s --no-print-directory BUILD=$(BUILD)/stack CC=$(CROSS)gcc AR=$(CROSS)ar \
	  CFLAGS="-Os $(CROSS_CPU) -fcallgraph-info=su" lib
	@mkdir -p $(BUILD)/stack/inc $(BUILD)/stack/ports
	@ln -sfn $$(pkg-config --variable=includedir lwip)/lwip $(BUILD)/stack/inc/lwip
	@ln -sfn $$(pkg-config --variable=includedir lwip)/netif $(BUILD)/stack/inc/netif
	@ln -sfn $$(dirname $$(echo '#include <mbedtls/version.h>' | cc -M -xc - | tr ' ' '\n' | grep 'mbedtls/version.h')) \
	  $(BUILD)/stack/inc/mbedtls
	@cd $(BUILD)/stack/ports && set -e && \
	  $(STACK_PORT_CC:-I%=-I$(CURDIR)/%) -I$(CURDIR)/port/lwip -I$(CURDIR)/examples/stm32-lwip \
	    -c $(CURDIR)/port/lwip/bmqtt_lwip.c -o port_lwip.o && \
	  $(STACK_PORT_CC:-I%=-I$(CURDIR)/%) -I$(CURDIR)/port/lwip_raw -I$(CURDIR)/examples/stm32-baremetal \
	    -c $(CURDIR)/port/lwip_raw/bmqtt_lwip_raw.c -o port_lwip_raw.o && \
	  $(STACK_PORT_CC:-I%=-I$(CURDIR)/%) -I$(CURDIR)/port/mbedtls -DMBEDTLS_CONFIG_FILE='"bmqtt_mbedtls_config.h"' \
	    -c $(CURDIR)/port/mbedtls/bmqtt_tls.c -o port_tls.o && \
	  $(STACK_PORT_CC:-I%=-I$(CURDIR)/%) -I$(CURDIR)/port/mbedtls -DMBEDTLS_CONFIG_FILE='"bmqtt_mbedtls_config.h"' \
	    -c $(CURDIR)/port/mbedtls/bmqtt_tls_session.c -o port_tls_session.o && \
	  $(STACK_PORT_CC:-I%=-I$(CURDIR)/%) -I$(CURDIR)/port/websocket -c $(CURDIR)/port/websocket/bmqtt_ws.c -o port_ws.o && \
	  $(STACK_PORT_CC:-I%=-I$(CURDIR)/%) -I$(CURDIR)/port/websocket -c $(CURDIR)/port/websocket/bmqtt_ws_handshake.c \
	    -o port_ws_handshake.o
	@python3 scripts/stack.py $$(find $(BUILD)/stack/obj $(BUILD)/stack/ports -name '*.ci') >$(BUILD)/stack/stack.md
	@cat $(BUILD)/stack/stack.md
	@$(if $(PERF_DOC),python3 scripts/perf_doc.py stack $(BUILD)/stack/stack.md $(PERF_DOC))

# The demo builds build/bmqtt-cli, which speaks TLS through port/mbedtls (libmbedtls-dev).
demo:
	@scripts/deps.sh build-essential libmbedtls-dev mosquitto mosquitto-clients
	@examples/posix/demo.sh

# build/bmqtt-cli alone (pub|sub, plain TCP or TLS), after installing what it links.
cli:
	@scripts/deps.sh build-essential libmbedtls-dev
	@$(MAKE) --no-print-directory $(CLI)

# Not part of `make test`: numbers, not pass/fail (see docs/PERFORMANCE.md).
bench: $(CLI) $(BENCH_BINS)
	@bench/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
