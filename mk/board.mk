# Firmware images on an emulated board (boards/mps2-an386, QEMU's mps2-an386, Cortex-M4):
#
#   make board-images  build/board/sensor.elf (examples/common/sensor_app.c in the superloop of
#                      examples/stm32-baremetal) and build/board/modem.elf (the ESP-AT modem: the AT
#                      interpreter on UART0, TCP/TLS/ws/wss through lwIP raw, mbedTLS, WebSocket)
#   make test-board    both images, then tests/board/run.sh: the sensor against mosquitto (reset
#                      through QEMU's monitor mid-run) and tests/at/run.py with the modem firmware
#                      as its command
#   make board-size    flash and RAM of each image by component (from the link maps), the
#                      stack the running firmware used (painted at reset), instructions per
#                      AT+MQTTPUB round and per TLS handshake (QEMU -icount)
#
# lwIP 2.1 and mbedTLS 2.28 come from Debian's source packages (tests/tls/debsrc.sh), built here
# for the target under build/; nothing of theirs is committed. The board reaches only the host's
# loopback, through QEMU's user network with restrict=on (boards/mps2-an386/run.py).

BOARD_PKGS := build-essential gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm dpkg-dev \
              mosquitto mosquitto-clients socat openssl python3
BOARD_BUILD := $(BUILD)/board
BOARD_MBED_PATH := $(BOARD_BUILD)/mbedtls-source-dir
BOARD_CPU  := -mcpu=cortex-m4 -mthumb
BOARD_CC    = $(CROSS)gcc -Os -g $(BOARD_CPU) -ffunction-sections -fdata-sections
BOARD_WARN := -std=gnu11 -Wall -Wextra -Werror

.PHONY: test-board board-images board-src board-build board-run board-size board-size-run
EXTRA_TESTS += test-board

test-board:
	@scripts/deps.sh $(BOARD_PKGS)
	@$(MAKE) --no-print-directory board-src
	@$(MAKE) --no-print-directory BOARD_LWIP=$$(cat $(LWIPRAW_PATH)) BOARD_MBED=$$(cat $(BOARD_MBED_PATH)) board-run

board-images:
	@scripts/deps.sh $(BOARD_PKGS)
	@$(MAKE) --no-print-directory board-src
	@$(MAKE) --no-print-directory BOARD_LWIP=$$(cat $(LWIPRAW_PATH)) BOARD_MBED=$$(cat $(BOARD_MBED_PATH)) board-build

board-size:
	@$(MAKE) --no-print-directory board-images
	@$(MAKE) --no-print-directory BOARD_LWIP=$$(cat $(LWIPRAW_PATH)) BOARD_MBED=$$(cat $(BOARD_MBED_PATH)) board-size-run

# Debian's lwIP (mk/lwip_raw.mk fetches it) and mbedTLS sources, unpacked once under build/debsrc.
board-src: lwip-raw-src
	@mkdir -p $(BOARD_BUILD)
	@if [ ! -s $(BOARD_MBED_PATH) ] || [ ! -d "$$(cat $(BOARD_MBED_PATH))/library" ]; then \
	  tests/tls/debsrc.sh bookworm mbedtls $(BUILD)/debsrc >$(BOARD_BUILD)/debsrc-mbedtls.log 2>&1 \
	    || { cat $(BOARD_BUILD)/debsrc-mbedtls.log; exit 1; }; \
	  tail -1 $(BOARD_BUILD)/debsrc-mbedtls.log >$(BOARD_MBED_PATH); fi
	@echo "board: mbedTLS source $$(cat $(BOARD_MBED_PATH))"

ifneq ($(BOARD_LWIP),)
ifneq ($(BOARD_MBED),)
LWIPDIR := $(BOARD_LWIP)/src
include $(LWIPDIR)/Filelists.mk

BOARD_INC := -Iinclude -Iboards/mps2-an386 -Iexamples/mps2-an386 -Iexamples/stm32-baremetal -Iexamples/common \
             -Iport/lwip_raw -Iport/mbedtls -Iport/websocket -I$(LWIPDIR)/include -I$(BOARD_MBED)/include \
             -DLWIP_DNS=0 -DMBEDTLS_CONFIG_FILE='"bmqtt_mbedtls_config.h"' -DBMQTT_MBEDTLS_CLOUD_HASHES

# Third-party code, compiled as it comes (their warnings are theirs).
BOARD_LWIP_SRCS := $(COREFILES) $(CORE4FILES) $(LWIPDIR)/netif/ethernet.c
BOARD_LWIP_OBJS := $(patsubst $(LWIPDIR)/%.c,$(BOARD_BUILD)/obj/lwip/%.o,$(BOARD_LWIP_SRCS))
BOARD_MBED_SRCS := $(wildcard $(BOARD_MBED)/library/*.c)
BOARD_MBED_OBJS := $(patsubst $(BOARD_MBED)/library/%.c,$(BOARD_BUILD)/obj/mbedtls/%.o,$(BOARD_MBED_SRCS))
$(BOARD_BUILD)/obj/lwip/%.o: $(LWIPDIR)/%.c examples/stm32-baremetal/lwipopts.h
	@mkdir -p $(dir $@)
	@$(BOARD_CC) $(BOARD_INC) -w -c $< -o $@
$(BOARD_BUILD)/obj/mbedtls/%.o: $(BOARD_MBED)/library/%.c port/mbedtls/bmqtt_mbedtls_config.h
	@mkdir -p $(dir $@)
	@$(BOARD_CC) $(BOARD_INC) -I$(BOARD_MBED)/library -w -c $< -o $@
$(BOARD_BUILD)/liblwip.a: $(BOARD_LWIP_OBJS)
	@rm -f $@ && $(CROSS)ar rcs $@ $^
$(BOARD_BUILD)/libmbedtls.a: $(BOARD_MBED_OBJS)
	@rm -f $@ && $(CROSS)ar rcs $@ $^

# bmqtt's library, ports and the examples it shares with the STM32 builds: the library's warnings.
$(BOARD_BUILD)/obj/bmqtt/%.o: %.c
	@mkdir -p $(dir $@)
	$(BOARD_CC) $(LIB_WARN) $(BOARD_INC) -MMD -MP -c $< -o $@
# The board and its two programs.
$(BOARD_BUILD)/obj/board/%.o: %.c
	@mkdir -p $(dir $@)
	$(BOARD_CC) $(BOARD_WARN) $(BOARD_INC) -MMD -MP -c $< -o $@

BOARD_BSP   := boards/mps2-an386/startup.c boards/mps2-an386/board.c boards/mps2-an386/lan9118.c \
               examples/mps2-an386/net.c
BOARD_SENSOR := $(BMQTT_SRCS) $(BMQTT_LWIP_RAW_SRCS) examples/stm32-baremetal/superloop.c examples/common/sensor_app.c
BOARD_MODEM  := $(BMQTT_SRCS) $(BMQTT_AT_SRCS) $(BMQTT_LWIP_RAW_SRCS) $(BMQTT_TLS_SRCS) $(BMQTT_WS_SRCS)
BOARD_SENSOR_OBJS := $(patsubst %.c,$(BOARD_BUILD)/obj/bmqtt/%.o,$(BOARD_SENSOR)) \
                     $(patsubst %.c,$(BOARD_BUILD)/obj/board/%.o,$(BOARD_BSP) examples/mps2-an386/sensor.c)
BOARD_MODEM_OBJS  := $(patsubst %.c,$(BOARD_BUILD)/obj/bmqtt/%.o,$(BOARD_MODEM)) \
                     $(patsubst %.c,$(BOARD_BUILD)/obj/board/%.o,$(BOARD_BSP) examples/mps2-an386/modem.c examples/at/at_station.c examples/at/at_layers.c)
BOARD_LD  = $(CROSS)gcc $(BOARD_CPU) --specs=nano.specs --specs=nosys.specs -nostartfiles \
            -Tboards/mps2-an386/mps2-an386.ld -Wl,--gc-sections

$(BOARD_BUILD)/sensor.elf: $(BOARD_SENSOR_OBJS) $(BOARD_BUILD)/liblwip.a boards/mps2-an386/mps2-an386.ld
	$(BOARD_LD) -Wl,-Map=$(BOARD_BUILD)/sensor.map $(filter %.o %.a,$^) -o $@
$(BOARD_BUILD)/modem.elf: $(BOARD_MODEM_OBJS) $(BOARD_BUILD)/liblwip.a $(BOARD_BUILD)/libmbedtls.a boards/mps2-an386/mps2-an386.ld
	$(BOARD_LD) -Wl,-Map=$(BOARD_BUILD)/modem.map $(filter %.o %.a,$^) -o $@

-include $(BOARD_SENSOR_OBJS:.o=.d) $(BOARD_MODEM_OBJS:.o=.d)

board-build: $(BOARD_BUILD)/sensor.elf $(BOARD_BUILD)/modem.elf
	@$(CROSS)size $^
	@if $(CROSS)nm -u $(filter $(BOARD_BUILD)/obj/bmqtt/%,$(BOARD_SENSOR_OBJS) $(BOARD_MODEM_OBJS)) \
	  | grep -wE 'malloc|calloc|realloc|free'; then echo "board: bmqtt's objects reference the heap"; exit 1; fi
	@echo "board: bmqtt's objects reference no malloc/calloc/realloc/free; the board's _sbrk refuses every request"

board-run: board-build $(AT_DRIVER)
	@BOARD=$(BOARD_BUILD) AT_DRIVER=$(AT_DRIVER) tests/board/run.sh

board-size-run: board-build
	@BOARD=$(BOARD_BUILD) /usr/bin/python3 tests/board/measure.py
endif
endif
