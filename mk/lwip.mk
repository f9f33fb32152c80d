# lwIP port (port/lwip) and its tests: the real lwIP stack of Debian's liblwip-dev
# (lwIP 2.1.3, unix port: tcpip thread, sockets, tapif) in a private network
# namespace with a TAP device, against mosquitto in the same namespace.
#
#   make test-lwip     installs what it needs, builds tests/lwip/lwip_test, runs tests/lwip/run.sh
#   make lwip-cross    port/lwip and examples/stm32-lwip for Cortex-M4 (arm-none-eabi-gcc,
#                      library warning set) against lwIP's headers, plus the port's size
#
# The package list is installed first and the build is a second make, so that
# pkg-config sees a liblwip-dev installed by this very run.

LWIP_PKGS    := liblwip-dev pkg-config iproute2 mosquitto mosquitto-clients libmbedtls-dev openssl \
                gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
LWIP_INCDIR  = $(shell pkg-config --variable=includedir lwip 2>/dev/null)
LWIP_LIBS    = $(shell pkg-config --libs lwip 2>/dev/null)
LWIP_TEST    := $(BUILD)/lwip_test
LWIP_OBJS    := $(BUILD)/obj/tests/lwip/lwip_test.o \
                $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_LWIP_SRCS) $(BMQTT_TLS_SRCS))

# The port itself: library warnings, Debian's lwIP headers and options.
$(BUILD)/obj/port/lwip/%.o: INC += $(addprefix -I,$(BMQTT_LWIP_INCS)) -I$(LWIP_INCDIR)
# The test program: its lwipopts.h (Debian's options plus checks) comes before Debian's.
$(BUILD)/obj/tests/lwip/%.o: INC += -Itests/lwip $(addprefix -I,$(BMQTT_LWIP_INCS) $(BMQTT_TLS_INCS)) -I$(LWIP_INCDIR) \
                                  -DBMQTT_LWIP_SYSTEM_OPTS='"$(LWIP_INCDIR)/lwipopts.h"'

$(LWIP_TEST): $(LWIP_OBJS) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -lmbedtls -lmbedx509 -lmbedcrypto $(LWIP_LIBS) -lpthread -o $@

.PHONY: test-lwip lwip-test-run lwip-cross lwip-cross-build
test-lwip:
	@scripts/deps.sh $(LWIP_PKGS)
	@$(MAKE) --no-print-directory lwip-test-run

lwip-test-run: $(LWIP_TEST)
	@tests/lwip/run.sh $(LWIP_TEST)

EXTRA_TESTS += test-lwip lwip-cross

# Cortex-M4: only lwIP's own header directories (lwip/, netif/) are taken from the
# installed package; lwipopts.h and arch/ are the example's (examples/stm32-lwip).
LWIP_X       := $(BUILD)/lwip-cross
LWIP_X_FLAGS  = -Os $(CROSS_CPU) -ffunction-sections -fdata-sections $(LIB_WARN) \
                -Iinclude $(addprefix -I,$(BMQTT_LWIP_INCS)) -Iexamples/stm32-lwip -Iexamples/common -I$(LWIP_X)/inc
# The TLS variant of the example: mbedTLS's headers on the MCU configuration of port/mbedtls.
LWIP_X_TLS    = -DEXAMPLE_TLS=1 $(addprefix -I,$(BMQTT_TLS_INCS)) -I$(LWIP_X)/mbedtls-inc \
                -DMBEDTLS_CONFIG_FILE='"bmqtt_mbedtls_config.h"'

lwip-cross:
	@scripts/deps.sh $(LWIP_PKGS)
	@$(MAKE) --no-print-directory lwip-cross-build

lwip-cross-build:
	@mkdir -p $(LWIP_X)/inc $(LWIP_X)/mbedtls-inc
	@ln -sfn $(LWIP_INCDIR)/lwip $(LWIP_X)/inc/lwip
	@ln -sfn $(LWIP_INCDIR)/netif $(LWIP_X)/inc/netif
	@ln -sfn $$(dirname $$(echo '#include <mbedtls/version.h>' | $(CC) -M -xc - | tr ' ' '\n' | grep 'mbedtls/version.h')) \
	  $(LWIP_X)/mbedtls-inc/mbedtls
	$(CROSS)gcc $(LWIP_X_FLAGS) -c port/lwip/bmqtt_lwip.c -o $(LWIP_X)/bmqtt_lwip.o
	$(CROSS)gcc $(LWIP_X_FLAGS) -DLWIP_IPV6=1 -DLWIP_DNS=0 -DLWIP_SOCKET_POLL=0 \
	  -c port/lwip/bmqtt_lwip.c -o $(LWIP_X)/bmqtt_lwip-v6-nodns-select.o
	$(CROSS)gcc $(LWIP_X_FLAGS) -c examples/stm32-lwip/mqtt_task.c -o $(LWIP_X)/mqtt_task.o
	$(CROSS)gcc $(LWIP_X_FLAGS) -c examples/common/sensor_app.c -o $(LWIP_X)/sensor_app.o
	$(CROSS)gcc $(LWIP_X_FLAGS) $(LWIP_X_TLS) -c examples/stm32-lwip/mqtt_task.c -o $(LWIP_X)/mqtt_task_tls.o
	$(CROSS)gcc $(LWIP_X_FLAGS) $(LWIP_X_TLS) -c port/mbedtls/bmqtt_tls.c -o $(LWIP_X)/bmqtt_tls.o
	$(CROSS)size $(LWIP_X)/bmqtt_lwip.o $(LWIP_X)/mqtt_task.o $(LWIP_X)/mqtt_task_tls.o $(LWIP_X)/sensor_app.o
	@if $(CROSS)nm -u $(LWIP_X)/bmqtt_lwip.o | grep -wE 'malloc|calloc|realloc|free'; then \
	  echo "lwip-cross: port/lwip references the heap"; exit 1; fi
	@echo "lwip-cross: OK: port/lwip (IPv4+DNS+poll, and IPv4/IPv6 without DNS on select) and examples/stm32-lwip (plain and TLS) build warning-free for Cortex-M4"
