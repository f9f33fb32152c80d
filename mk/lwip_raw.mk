# lwIP raw-API port (port/lwip_raw, NO_SYS=1) and its tests: lwIP 2.1 built from
# Debian's lwIP source package with tests/lwip_raw/lwipopts.h (NO_SYS=1) and the
# unix port's tapif, in a private network namespace with a TAP device, against
# mosquitto (and dnsmasq for names) in the same namespace. The test program runs the
# superloop of examples/stm32-baremetal too. Nothing of lwIP is committed: the source
# is fetched (apt-get source, the test's own apt configuration) into build/ and built
# there, once per lwIP version.
#
#   make test-lwip-raw    installs what it needs, builds lwIP and tests/lwip_raw/lwip_raw_test
#                         (AddressSanitizer, UBSan on bmqtt's files), runs tests/lwip_raw/run.sh
#   make lwip-raw-cross   port/lwip_raw and examples/stm32-baremetal for Cortex-M4 (-Werror,
#                         library warning set) against lwIP's headers; the port's size; nm -u

LWIPRAW_PKGS := dpkg-dev iproute2 mosquitto mosquitto-clients libmbedtls-dev openssl dnsmasq-base \
                gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
LWIPRAW      := $(BUILD)/lwip-raw
LWIPRAW_PATH := $(LWIPRAW)/source-dir
LWIPRAW_BIN  := $(LWIPRAW)/lwip_raw_test

.PHONY: test-lwip-raw lwip-raw-src lwip-raw-build lwip-raw-run lwip-raw-cross lwip-raw-cross-build
EXTRA_TESTS += test-lwip-raw lwip-raw-cross

test-lwip-raw:
	@scripts/deps.sh $(LWIPRAW_PKGS)
	@$(MAKE) --no-print-directory lwip-raw-src
	@$(MAKE) --no-print-directory LWIPRAW_DIR=$$(cat $(LWIPRAW_PATH)) lwip-raw-run

# Debian's lwIP source, unpacked once under build/debsrc (the directory names the version).
lwip-raw-src:
	@mkdir -p $(LWIPRAW)
	@if [ ! -s $(LWIPRAW_PATH) ] || [ ! -d "$$(cat $(LWIPRAW_PATH))/src/core" ]; then \
	  tests/tls/debsrc.sh bookworm lwip $(BUILD)/debsrc >$(LWIPRAW)/debsrc.log 2>&1 \
	    || { cat $(LWIPRAW)/debsrc.log; exit 1; }; \
	  tail -1 $(LWIPRAW)/debsrc.log >$(LWIPRAW_PATH); fi
	@echo "lwip-raw: lwIP source $$(cat $(LWIPRAW_PATH))"

ifneq ($(LWIPRAW_DIR),)
LWIPDIR := $(LWIPRAW_DIR)/src
include $(LWIPDIR)/Filelists.mk
LWIPRAW_VER  := $(notdir $(LWIPRAW_DIR))
LWIPRAW_OBJ  := $(LWIPRAW)/$(LWIPRAW_VER)
# lwIP's core, IPv4, IPv6, Ethernet, and the unix port's tapif and sys_now().
LWIPRAW_LWIP := $(COREFILES) $(CORE4FILES) $(CORE6FILES) $(LWIPDIR)/netif/ethernet.c \
                $(LWIPRAW_DIR)/port/netif/tapif.c $(LWIPRAW_DIR)/port/sys_arch.c
LWIPRAW_LWIP_OBJS := $(patsubst $(LWIPRAW_DIR)/%.c,$(LWIPRAW_OBJ)/lwip/%.o,$(LWIPRAW_LWIP))
LWIPRAW_OURS := $(BMQTT_SRCS) $(BMQTT_TLS_SRCS) port/lwip_raw/bmqtt_lwip_raw.c \
                tests/lwip_raw/lwip_raw_test.c examples/common/sensor_app.c \
                examples/stm32-baremetal/superloop.c
LWIPRAW_OURS_OBJS := $(patsubst %.c,$(LWIPRAW_OBJ)/bmqtt/%.o,$(LWIPRAW_OURS))
LWIPRAW_INC  := -Itests/lwip_raw -I$(LWIPDIR)/include -I$(LWIPRAW_DIR)/port/include
LWIPRAW_SAN  := -fsanitize=address -fno-omit-frame-pointer
LWIPRAW_USAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

$(LWIPRAW_OBJ)/lwip/%.o: $(LWIPRAW_DIR)/%.c tests/lwip_raw/lwipopts.h
	@mkdir -p $(dir $@)
	@$(CC) -O1 -g $(LWIPRAW_SAN) -D_GNU_SOURCE $(LWIPRAW_INC) -c $< -o $@

# bmqtt's files: the library's and the example's with the library's warnings, the test's with the tests'.
# (the test's lwipopts.h and the unix port's arch/ come before the example's)
LWIPRAW_CC = $(CC) -O1 -g -MMD -MP $(LWIPRAW_USAN) $(LWIPRAW_INC) -Iinclude -Iport/lwip_raw $(addprefix -I,$(BMQTT_TLS_INCS)) \
             -Iexamples/stm32-baremetal -Iexamples/common
$(LWIPRAW_OBJ)/bmqtt/src/%.o: src/%.c mk/lwip_raw.mk
	@mkdir -p $(dir $@)
	$(LWIPRAW_CC) $(LIB_WARN) -c $< -o $@
$(LWIPRAW_OBJ)/bmqtt/port/%.o: port/%.c tests/lwip_raw/lwipopts.h mk/lwip_raw.mk
	@mkdir -p $(dir $@)
	$(LWIPRAW_CC) $(LIB_WARN) -D_POSIX_C_SOURCE=200809L -c $< -o $@
$(LWIPRAW_OBJ)/bmqtt/examples/%.o: examples/%.c tests/lwip_raw/lwipopts.h mk/lwip_raw.mk
	@mkdir -p $(dir $@)
	$(LWIPRAW_CC) $(LIB_WARN) -D_POSIX_C_SOURCE=200809L -c $< -o $@
$(LWIPRAW_OBJ)/bmqtt/tests/%.o: tests/%.c tests/lwip_raw/lwipopts.h mk/lwip_raw.mk
	@mkdir -p $(dir $@)
	$(LWIPRAW_CC) $(TEST_WARN) -D_GNU_SOURCE -c $< -o $@

$(LWIPRAW_BIN): $(LWIPRAW_LWIP_OBJS) $(LWIPRAW_OURS_OBJS)
	$(CC) $(LWIPRAW_USAN) $^ -lmbedtls -lmbedx509 -lmbedcrypto -o $@

lwip-raw-build: $(LWIPRAW_BIN)

-include $(LWIPRAW_OURS_OBJS:.o=.d)

lwip-raw-run: $(LWIPRAW_BIN)
	@if nm -u $(LWIPRAW_OBJ)/bmqtt/port/lwip_raw/bmqtt_lwip_raw.o | grep -wE 'malloc|calloc|realloc|free'; then \
	  echo "FAIL lwip-raw: port/lwip_raw references the heap"; exit 1; fi
	@echo "lwip-raw: port/lwip_raw references no malloc/calloc/realloc/free (nm -u)"
	@tests/lwip_raw/run.sh $(LWIPRAW_BIN)

# Cortex-M4: lwIP's headers from the same source, the example's lwipopts.h and arch/cc.h.
LWIPRAW_X     := $(LWIPRAW)/cross
LWIPRAW_XFLAGS = -Os $(CROSS_CPU) -ffunction-sections -fdata-sections $(LIB_WARN) -Iinclude -Iport/lwip_raw \
                 -Iexamples/stm32-baremetal -Iexamples/common -I$(LWIPDIR)/include

lwip-raw-cross-build:
	@mkdir -p $(LWIPRAW_X)
	$(CROSS)gcc $(LWIPRAW_XFLAGS) -c port/lwip_raw/bmqtt_lwip_raw.c -o $(LWIPRAW_X)/bmqtt_lwip_raw.o
	$(CROSS)gcc $(LWIPRAW_XFLAGS) -DLWIP_IPV6=1 -DLWIP_DNS=0 -c port/lwip_raw/bmqtt_lwip_raw.c \
	  -o $(LWIPRAW_X)/bmqtt_lwip_raw-v6-nodns.o
	$(CROSS)gcc $(LWIPRAW_XFLAGS) -c examples/common/sensor_app.c -o $(LWIPRAW_X)/sensor_app.o
	$(CROSS)gcc $(LWIPRAW_XFLAGS) -c examples/stm32-baremetal/superloop.c -o $(LWIPRAW_X)/superloop.o
	$(CROSS)gcc $(LWIPRAW_XFLAGS) -c examples/stm32-baremetal/main.c -o $(LWIPRAW_X)/main.o
	$(CROSS)size $(LWIPRAW_X)/bmqtt_lwip_raw.o $(LWIPRAW_X)/bmqtt_lwip_raw-v6-nodns.o $(LWIPRAW_X)/sensor_app.o \
	  $(LWIPRAW_X)/superloop.o
	@if $(CROSS)nm -u $(LWIPRAW_X)/bmqtt_lwip_raw.o $(LWIPRAW_X)/bmqtt_lwip_raw-v6-nodns.o \
	  | grep -wE 'malloc|calloc|realloc|free'; then echo "lwip-raw-cross: port/lwip_raw references the heap"; exit 1; fi
	@echo "lwip-raw-cross: OK: port/lwip_raw (IPv4+DNS, IPv4/IPv6 without DNS) and examples/stm32-baremetal build warning-free for Cortex-M4; no heap symbol"
endif

lwip-raw-cross:
	@scripts/deps.sh $(LWIPRAW_PKGS)
	@$(MAKE) --no-print-directory lwip-raw-src
	@$(MAKE) --no-print-directory LWIPRAW_DIR=$$(cat $(LWIPRAW_PATH)) lwip-raw-cross-build
