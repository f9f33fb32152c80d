# The peer beside bmqtt's figures in `make size` (docs/PERFORMANCE.md): coreMQTT v2.3.x's
# serializer (the last MQTT 3.1.1 line) making the calls of tests/qemu/link_codec_client.c
# (tests/qemu/link_codec_coremqtt.c), compiled and linked as `make size` does bmqtt's:
# Cortex-M4, -Os, -ffunction-sections -fdata-sections, --gc-sections, the bytes coreMQTT's
# object keeps in the link summed from the map; -DNDEBUG (coreMQTT's assert() off, as
# BMQTT_ASSERT is by default) and -DMQTT_DO_NOT_USE_CUSTOM_CONFIG (its logging off).
#
#   make size-coremqtt COREMQTT=<a coreMQTT v2.3.1 checkout>   measure (coreMQTT's code
#                   stays where it is; none of it is copied into this tree)
#   make size-coremqtt                                         no checkout: says so and prints
#                   the figure recorded below, with how it was measured
#
# `make size` runs it and puts the figure beside bmqtt's (scripts/size_table.py --peer). With a
# checkout it also prints the worst-case stack of coreMQTT's decode calls, counted by
# scripts/stack.py from -fcallgraph-info=su as `make stack` counts bmqtt's.
COREMQTT          ?=
COREMQTT_RECORDED := 1555
COREMQTT_HOW      := coreMQTT v2.3.1 (git tag v2.3.1), measured by make size-coremqtt with arm-none-eabi-gcc 12.2.1 on 2026-12-06
COREMQTT_DIR      := $(METAL)/size/coremqtt
COREMQTT_CC        = $(ARM_PREFIX)gcc -Os $(SIZE_CPU) -ffunction-sections -fdata-sections -DNDEBUG \
                     -DMQTT_DO_NOT_USE_CUSTOM_CONFIG -I$(abspath $(COREMQTT))/source/include \
                     -I$(abspath $(COREMQTT))/source/interface

.PHONY: size-coremqtt size-coremqtt-build
size-coremqtt:
	@scripts/deps.sh gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
	@$(MAKE) --no-print-directory size-coremqtt-build

size-coremqtt-build:
	@mkdir -p $(COREMQTT_DIR)
	@if [ -n "$(COREMQTT)" ] && [ -f "$(COREMQTT)/source/core_mqtt_serializer.c" ]; then \
	  set -e; d=$(COREMQTT_DIR); rm -f $$d/libcoremqtt.a; \
	  $(COREMQTT_CC) -c $(COREMQTT)/source/core_mqtt_serializer.c -o $$d/core_mqtt_serializer.o; \
	  $(ARM_PREFIX)ar rcs $$d/libcoremqtt.a $$d/core_mqtt_serializer.o; \
	  $(COREMQTT_CC) $(TEST_WARN) -c tests/qemu/link_codec_coremqtt.c -o $$d/link_codec_coremqtt.o; \
	  $(SIZE_LINK) -Wl,-Map=$$d/codec-client.map $$d/link_codec_coremqtt.o $$d/libcoremqtt.a -o $$d/codec-client.elf; \
	  b=$$(python3 -c 'import re, sys; sys.path.insert(0, "scripts"); import size_table as s; \
	    t, d, _ = s.map_sizes(sys.argv[1], re.compile(r"libcoremqtt\.a\((\S+)\)")); print(t + d)' $$d/codec-client.map); \
	  v=$$(sed -n 's/^#define MQTT_LIBRARY_VERSION *"\(.*\)"/\1/p' $(COREMQTT)/source/include/core_mqtt.h); \
	  printf '%s\tmeasured in this run: coreMQTT %s, %s\n' "$$b" "$$v" "$$($(ARM_PREFIX)gcc --version | head -1)" \
	    >$(COREMQTT_DIR)/figure.txt; \
	  mkdir -p $$d/stack; (cd $$d/stack && $(COREMQTT_CC) -fcallgraph-info=su \
	    -c $(abspath $(COREMQTT))/source/core_mqtt_serializer.c -o core_mqtt_serializer.o); \
	  python3 scripts/stack.py $$d/stack/core_mqtt_serializer.ci >$$d/stack.md; \
	  echo "size-coremqtt: worst-case stack of its decode calls (as make stack counts bmqtt's):" \
	    $$(grep -E '^\| MQTT_(ProcessIncomingPacketTypeAndLength|DeserializePublish|DeserializeAck) \|' $$d/stack.md \
	       | awk -F'|' '{ gsub(/ /, "", $$2); gsub(/ /, "", $$3); printf "%s %s B; ", $$2, $$3 }'); \
	else \
	  [ -z "$(COREMQTT)" ] && echo "size-coremqtt: COREMQTT is not set (a coreMQTT v2.3.1 checkout): the recorded figure is used" \
	    || echo "size-coremqtt: no source/core_mqtt_serializer.c under COREMQTT=$(COREMQTT): the recorded figure is used"; \
	  printf '%s\trecorded: %s (rerun: make size COREMQTT=DIR, DIR a coreMQTT checkout)\n' "$(COREMQTT_RECORDED)" "$(COREMQTT_HOW)" \
	    >$(COREMQTT_DIR)/figure.txt; \
	fi
	@echo "size-coremqtt: coreMQTT's serializer for the calls of tests/qemu/link_codec_client.c: $$(cut -f1 $(COREMQTT_DIR)/figure.txt) B ($$(cut -f2 $(COREMQTT_DIR)/figure.txt))"
