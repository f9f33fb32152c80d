# On the metal (docs/PERFORMANCE.md, docs/TESTING.md): cross builds for every
# supported CPU, the unit tests on an emulated Cortex-M, instruction counts.
#
#   make cross-all   the library (codec + client) for Cortex-M0+, M3, M4F, M33 and
#                    RV32IMC, -Os, the library's full warning set with -Werror, no heap
#   make test-qemu   tests/unit/*.c built for Cortex-M3 and Cortex-M4 (newlib, semihosting,
#                    tests/qemu/) and run in qemu-system-arm mps2-an385 / mps2-an386;
#                    the exit code of each image is its verdict
#   make cycles      instructions per codec operation on Cortex-M4 -Os, counted by QEMU
#                    (mps2-an386, -icount shift=0) with SysTick (tests/qemu/cycles.c)
#   make test-version  bmqtt.mk's BMQTT_VERSION = include/bmqtt/version.h = idf_component.yml =
#                    library.json = CMake's; PlatformIO and ESP-IDF build bmqtt.mk's sources
#                    (scripts/version.py; `scripts/version.py set X.Y.Z` changes them all)
#   make size-table  (run by `make size`) text/data/bss per module and port at -Os and -O2
#                    for Cortex-M4, and what a --gc-sections link keeps (scripts/size_table.py)
#
# size, stack and cycles write their table into docs/PERFORMANCE.md (scripts/perf_doc.py);
# PERF_DOC= (empty) only prints it.
# Each installs its Debian packages first, then runs a second make (so that a
# compiler installed by this very run is found).

METAL_PKGS := gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm \
              gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
METAL      := $(BUILD)/metal
QEMU       ?= qemu-system-arm
QEMU_FLAGS := -nographic -monitor none -serial none -semihosting-config enable=on,target=native
ARM_PREFIX := arm-none-eabi-
PERF_DOC   ?= docs/PERFORMANCE.md

# --- test-version --------------------------------------------------------------
test-version:
	@printf '#include "bmqtt/version.h"\nextern const char v[];\nconst char v[] = BMQTT_VERSION;\nextern const int n[BMQTT_VERSION_NUMBER >= 0 ? 1 : -1];\n' | \
	  $(CC) $(LIB_WARN) -Iinclude -xc -fsyntax-only -
	@python3 scripts/version.py check

EXTRA_TESTS += test-version

# --- cross-all ------------------------------------------------------------------
# name:compiler prefix:CPU flags (~ for a space)
CROSS_ALL_TARGETS := \
  cortex-m0plus:arm-none-eabi-:-mcpu=cortex-m0plus~-mthumb \
  cortex-m3:arm-none-eabi-:-mcpu=cortex-m3~-mthumb \
  cortex-m4f:arm-none-eabi-:-mcpu=cortex-m4~-mthumb~-mfloat-abi=hard~-mfpu=fpv4-sp-d16 \
  cortex-m33:arm-none-eabi-:-mcpu=cortex-m33~-mthumb \
  rv32imc:riscv64-unknown-elf-:-march=rv32imc~-mabi=ilp32~--specs=picolibc.specs

.PHONY: test-version cross-all cross-all-build test-qemu qemu-images qemu-run cycles cycles-run cycles-profile \
        size-table size-table-build
cross-all:
	@scripts/deps.sh $(METAL_PKGS)
	@$(MAKE) --no-print-directory cross-all-build

cross-all-build:
	@set -e; for t in $(CROSS_ALL_TARGETS); do \
	  name=$${t%%:*}; rest=$${t#*:}; pre=$${rest%%:*}; cpu=$$(echo "$${rest#*:}" | tr '~' ' '); \
	  $(MAKE) -s --no-print-directory BUILD=$(METAL)/cross-$$name CC=$${pre}gcc AR=$${pre}ar \
	    CFLAGS="-Os $$cpu -ffunction-sections -fdata-sections" lib; \
	  if $${pre}nm -u $(METAL)/cross-$$name/libbmqtt.a | grep -wE 'malloc|calloc|realloc|free'; then \
	    echo "cross-all: $$name: the library references the heap"; exit 1; fi; \
	  printf 'cross-all: %-14s %-56s text %6s B\n' $$name "$$cpu" \
	    $$($${pre}size -t $(METAL)/cross-$$name/libbmqtt.a | awk 'END { print $$1 }'); \
	done; echo "cross-all: OK: $(words $(CROSS_ALL_TARGETS)) targets at -Os, warning-free with the library's warning set and -Werror, no heap"

# --- test-qemu --------------------------------------------------------------------
# The same tests/unit/*.c and tests/support/*.c as on the host, with CMocka replaced by
# tests/qemu/include/cmocka.h + cmocka_runner.c; the library at -Os as firmware builds it.
QEMU_CPUS         := m3 m4
QEMU_MACHINE_m3   := mps2-an385
QEMU_MACHINE_m4   := mps2-an386
QEMU_CPUFLAGS_m3  := -mcpu=cortex-m3 -mthumb
QEMU_CPUFLAGS_m4  := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
QEMU_TESTS        := $(patsubst tests/unit/%.c,%,$(UNIT_SRCS))
QEMU_DIRLIST      := $(METAL)/vectors.lst
QEMU_COMMON       := -Os -g -ffunction-sections -fdata-sections
QEMU_LDFLAGS      := --specs=rdimon.specs -nostartfiles -Ttests/qemu/mps2.ld -Wl,--gc-sections
QEMU_RUNTIME_SRCS := tests/qemu/startup.c tests/qemu/cmocka_runner.c tests/qemu/qemu_dirent.c

# $(1): cpu name. Objects under $(METAL)/qemu-$(1)/obj, images $(METAL)/qemu-$(1)/<test>.elf.
define QEMU_CPU_RULES
QEMU_DIR_$(1)  := $(METAL)/qemu-$(1)
QEMU_CC_$(1)    = $(ARM_PREFIX)gcc $(QEMU_COMMON) $(QEMU_CPUFLAGS_$(1))
QEMU_LIBO_$(1) := $$(patsubst %.c,$$(QEMU_DIR_$(1))/obj/%.o,$(BMQTT_SRCS) $(BMQTT_AT_SRCS))
QEMU_SUPO_$(1) := $$(patsubst %.c,$$(QEMU_DIR_$(1))/obj/%.o,$(SUPPORT_SRCS) $(QEMU_RUNTIME_SRCS))
QEMU_ELFS_$(1) := $$(addprefix $$(QEMU_DIR_$(1))/,$$(addsuffix .elf,$(QEMU_TESTS)))

$$(QEMU_DIR_$(1))/obj/src/%.o: src/%.c
	@mkdir -p $$(dir $$@)
	$$(QEMU_CC_$(1)) $$(LIB_WARN) -Iinclude -MMD -MP -c $$< -o $$@

# Vector helpers: directory listing through tests/qemu/qemu_dirent.c.
$$(QEMU_DIR_$(1))/obj/tests/support/vectors.o: tests/support/vectors.c
	@mkdir -p $$(dir $$@)
	$$(QEMU_CC_$(1)) $$(TEST_WARN) -D_GNU_SOURCE -DTV_HAVE_DIRENT=1 -Itests/qemu/include -include qemu_dirent.h \
	  -Iinclude -Itests/support -MMD -MP -c $$< -o $$@

$$(QEMU_DIR_$(1))/obj/tests/qemu/qemu_dirent.o: tests/qemu/qemu_dirent.c
	@mkdir -p $$(dir $$@)
	$$(QEMU_CC_$(1)) $$(TEST_WARN) -D_GNU_SOURCE -DQEMU_DIRLIST='"$(QEMU_DIRLIST)"' -Itests/qemu/include \
	  -MMD -MP -c $$< -o $$@

$$(QEMU_DIR_$(1))/obj/tests/%.o: tests/%.c
	@mkdir -p $$(dir $$@)
	$$(QEMU_CC_$(1)) $$(TEST_WARN) -D_GNU_SOURCE -Itests/qemu/include -Iinclude -Itests/support -MMD -MP -c $$< -o $$@

$$(QEMU_DIR_$(1))/selftest.elf: $$(QEMU_DIR_$(1))/obj/tests/qemu/selftest.o $$(QEMU_SUPO_$(1))
	$$(QEMU_CC_$(1)) $(QEMU_LDFLAGS) $$(filter %.o,$$^) -o $$@

$$(QEMU_DIR_$(1))/%.elf: $$(QEMU_DIR_$(1))/obj/tests/unit/%.o $$(QEMU_SUPO_$(1)) $$(QEMU_LIBO_$(1)) tests/qemu/mps2.ld
	$$(QEMU_CC_$(1)) $(QEMU_LDFLAGS) $$(filter %.o,$$^) -o $$@

qemu-images: $$(QEMU_DIR_$(1))/selftest.elf $$(QEMU_ELFS_$(1))
# Keep the objects (make would delete them as intermediates and rebuild every time).
.SECONDARY: $$(QEMU_LIBO_$(1)) $$(QEMU_SUPO_$(1)) $$(QEMU_DIR_$(1))/obj/tests/qemu/selftest.o \
            $$(patsubst %,$$(QEMU_DIR_$(1))/obj/tests/unit/%.o,$(QEMU_TESTS))
endef
$(foreach c,$(QEMU_CPUS),$(eval $(call QEMU_CPU_RULES,$(c))))

test-qemu:
	@scripts/deps.sh $(METAL_PKGS)
	@$(MAKE) --no-print-directory qemu-images
	@$(MAKE) --no-print-directory qemu-run

qemu-run:
	@mkdir -p $(METAL)
	@find tests/vectors \( -type d -printf 'd %p\n' \) -o \( -type f -printf 'f %p\n' \) >$(QEMU_DIRLIST)
	@set -e; for c in $(QEMU_CPUS); do \
	  case $$c in m3) m=$(QEMU_MACHINE_m3);; m4) m=$(QEMU_MACHINE_m4);; esac; \
	  QEMU="$(QEMU) $(QEMU_FLAGS)" tests/qemu/run.sh $$m --selftest $(METAL)/qemu-$$c/selftest.elf $(addprefix $(METAL)/qemu-$$c/,$(addsuffix .elf,$(QEMU_TESTS))); \
	done

EXTRA_TESTS += cross-all test-qemu

# --- cycles ------------------------------------------------------------------------
# The library as `make size` measures it (Cortex-M4, -Os, soft-float ABI), in one image.
CYCLES_DIR   := $(METAL)/cycles
CYCLES_CC     = $(ARM_PREFIX)gcc -Os -g -ffunction-sections -fdata-sections -mcpu=cortex-m4 -mthumb
CYCLES_OBJS  := $(patsubst %.c,$(CYCLES_DIR)/obj/%.o,$(BMQTT_SRCS) tests/qemu/cycles.c tests/qemu/startup.c \
                  tests/support/vectors.c)
CYCLES_ELF   := $(CYCLES_DIR)/cycles.elf
CYCLES_TABLE := $(CYCLES_DIR)/cycles.md

$(CYCLES_DIR)/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CYCLES_CC) $(LIB_WARN) -Iinclude -MMD -MP -c $< -o $@

$(CYCLES_DIR)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CYCLES_CC) $(TEST_WARN) -D_GNU_SOURCE -Iinclude -Itests/support -MMD -MP -c $< -o $@

$(CYCLES_ELF): $(CYCLES_OBJS) tests/qemu/mps2.ld
	$(CYCLES_CC) $(QEMU_LDFLAGS) $(filter %.o,$^) -o $@

cycles:
	@scripts/deps.sh $(METAL_PKGS)
	@$(MAKE) --no-print-directory $(CYCLES_ELF)
	@$(MAKE) --no-print-directory cycles-run

cycles-run:
	@timeout 300 $(QEMU) $(QEMU_FLAGS) -M mps2-an386 -icount shift=0 -kernel $(CYCLES_ELF) >$(CYCLES_DIR)/cycles.log 2>&1 || \
	  { cat $(CYCLES_DIR)/cycles.log; echo "cycles: FAIL"; exit 1; }
	@grep '^|' $(CYCLES_DIR)/cycles.log >$(CYCLES_TABLE)
	@grep '^cycles:' $(CYCLES_DIR)/cycles.log; cat $(CYCLES_TABLE)
	@$(if $(PERF_DOC),python3 scripts/perf_doc.py cycles $(CYCLES_TABLE) $(PERF_DOC))

# Where those instructions go, per function: the same image, one instruction per
# translation block, every executed PC logged (a few hundred MB in $(CYCLES_DIR)).
cycles-profile:
	@scripts/deps.sh $(METAL_PKGS)
	@$(MAKE) --no-print-directory $(CYCLES_ELF)
	@timeout 600 $(QEMU) $(QEMU_FLAGS) -M mps2-an386 -singlestep -d exec,nochain -D $(CYCLES_DIR)/trace.log \
	  -kernel $(CYCLES_ELF) >/dev/null 2>&1 || { echo "cycles-profile: FAIL"; exit 1; }
	@python3 scripts/cycles_profile.py $(CYCLES_ELF) $(CYCLES_DIR)/trace.log
	@rm -f $(CYCLES_DIR)/trace.log

# --- size ---------------------------------------------------------------------------
# Per level: the library (the lib target, as `make cross` builds it), the ports against
# Debian's lwIP and mbedTLS headers, and --gc-sections links with map files: a typical
# client (tests/qemu/link_client.c), the codec such a client calls through the public API
# (tests/qemu/link_codec_client.c, also on a library built with BMQTT_DECODE_CLIENT_PACKETS=0),
# beside coreMQTT's serializer for the same calls (mk/peers.mk: COREMQTT=DIR, a checkout, measures it),
# every public codec function, and every public MQTT 5.0 codec function (codec5.map).
SIZE_DIR   := $(METAL)/size
SIZE_CPU   := -mcpu=cortex-m4 -mthumb
SIZE_PKGS  := liblwip-dev libmbedtls-dev pkg-config
SIZE_LINK  := $(ARM_PREFIX)gcc $(SIZE_CPU) -nostartfiles --specs=nosys.specs -Wl,--gc-sections -Wl,-e,main

size-table:
	@scripts/deps.sh $(METAL_PKGS) $(SIZE_PKGS)
	@$(MAKE) --no-print-directory size-table-build

size-table-build:
	@mkdir -p $(SIZE_DIR)/inc
	@ln -sfn $$(pkg-config --variable=includedir lwip)/lwip $(SIZE_DIR)/inc/lwip
	@ln -sfn $$(pkg-config --variable=includedir lwip)/netif $(SIZE_DIR)/inc/netif
	@ln -sfn $$(dirname $$(echo '#include <mbedtls/version.h>' | cc -M -xc - | tr ' ' '\n' | grep 'mbedtls/version.h')) \
	  $(SIZE_DIR)/inc/mbedtls
	@set -e; for o in Os O2; do \
	  d=$(SIZE_DIR)/$$o; cc="$(ARM_PREFIX)gcc -$$o $(SIZE_CPU) -ffunction-sections -fdata-sections"; \
	  $(MAKE) -s --no-print-directory BUILD=$$d CC=$(ARM_PREFIX)gcc AR=$(ARM_PREFIX)ar \
	    CFLAGS="-$$o $(SIZE_CPU) -ffunction-sections -fdata-sections" lib; \
	  $$cc $(LIB_WARN) -Iinclude -Iport/lwip -Iexamples/stm32-lwip -I$(SIZE_DIR)/inc \
	    -c port/lwip/bmqtt_lwip.c -o $$d/port_lwip.o; \
	  $$cc $(LIB_WARN) -Iinclude -Iport/lwip_raw -Iexamples/stm32-baremetal -I$(SIZE_DIR)/inc \
	    -c port/lwip_raw/bmqtt_lwip_raw.c -o $$d/port_lwip_raw.o; \
	  $$cc $(LIB_WARN) -Iinclude -Iport/mbedtls -I$(SIZE_DIR)/inc -DMBEDTLS_CONFIG_FILE='"bmqtt_mbedtls_config.h"' \
	    -c port/mbedtls/bmqtt_tls.c -o $$d/port_tls_main.o; \
	  $$cc $(LIB_WARN) -Iinclude -Iport/mbedtls -I$(SIZE_DIR)/inc -DMBEDTLS_CONFIG_FILE='"bmqtt_mbedtls_config.h"' \
	    -c port/mbedtls/bmqtt_tls_session.c -o $$d/port_tls_session.o; \
	  $(ARM_PREFIX)ld -r $$d/port_tls_main.o $$d/port_tls_session.o -o $$d/port_tls.o; \
	  $$cc $(LIB_WARN) -Iinclude -Iport/websocket -c port/websocket/bmqtt_ws.c -o $$d/port_ws_main.o; \
	  $$cc $(LIB_WARN) -Iinclude -Iport/websocket -c port/websocket/bmqtt_ws_handshake.c -o $$d/port_ws_handshake.o; \
	  $(ARM_PREFIX)ld -r $$d/port_ws_main.o $$d/port_ws_handshake.o -o $$d/port_ws.o; \
	  $$cc $(TEST_WARN) -Iinclude -c tests/qemu/link_client.c -o $$d/link_client.o; \
	  $(SIZE_LINK) -Wl,-Map=$$d/client.map $$d/link_client.o $$d/libbmqtt.a -o $$d/client.elf; \
	  $$cc $(TEST_WARN) -Iinclude -DLINK_OUTBOX -c tests/qemu/link_client.c -o $$d/link_client_outbox.o; \
	  $(SIZE_LINK) -Wl,-Map=$$d/client-outbox.map $$d/link_client_outbox.o $$d/libbmqtt.a -o $$d/client-outbox.elf; \
	  $(MAKE) -s --no-print-directory BUILD=$$d/nopersist CC=$(ARM_PREFIX)gcc AR=$(ARM_PREFIX)ar \
	    CFLAGS="-$$o $(SIZE_CPU) -ffunction-sections -fdata-sections -DBMQTT_PERSIST=0" lib; \
	  $(SIZE_LINK) -Wl,-Map=$$d/client-nopersist.map $$d/link_client.o $$d/nopersist/libbmqtt.a \
	    -o $$d/client-nopersist.elf; \
	  for v in resume:-DLINK_RESUME store:-DLINK_STORE; do \
	    $$cc $(TEST_WARN) -Iinclude $${v#*:} -c tests/qemu/link_client.c -o $$d/link_client_$${v%%:*}.o; \
	    $(SIZE_LINK) -Wl,-Map=$$d/client-$${v%%:*}.map $$d/link_client_$${v%%:*}.o $$d/libbmqtt.a \
	      -o $$d/client-$${v%%:*}.elf; \
	  done; \
	  $$cc $(TEST_WARN) -Iinclude -c tests/qemu/link_codec_client.c -o $$d/link_codec_client.o; \
	  $(SIZE_LINK) -Wl,-Map=$$d/codec-client.map $$d/link_codec_client.o $$d/libbmqtt.a -o $$d/codec-client.elf; \
	  $(MAKE) -s --no-print-directory BUILD=$$d/client-only CC=$(ARM_PREFIX)gcc AR=$(ARM_PREFIX)ar \
	    CFLAGS="-$$o $(SIZE_CPU) -ffunction-sections -fdata-sections -DBMQTT_DECODE_CLIENT_PACKETS=0" lib; \
	  syms=$$($(ARM_PREFIX)nm -g --defined-only $(patsubst %.c,$$d/obj/%.o,$(filter-out %/bmqtt_status.c,$(BMQTT_CODEC_SRCS))) \
	    | awk '$$2 == "T" { printf " -Wl,-u,%s", $$3 }'); \
	  echo 'int main(void); int main(void) { return 0; }' | $$cc -xc -c - -o $$d/link_empty.o; \
	  $(SIZE_LINK) $$syms -Wl,-Map=$$d/codec.map $$d/link_empty.o $$d/libbmqtt.a -o $$d/codec.elf; \
	  $(SIZE_LINK) $$syms -Wl,-Map=$$d/codec-client-only.map $$d/link_empty.o $$d/client-only/libbmqtt.a \
	    -o $$d/codec-client-only.elf; \
	  $(SIZE_LINK) -Wl,-Map=$$d/codec-client-noserver.map $$d/link_codec_client.o $$d/client-only/libbmqtt.a \
	    -o $$d/codec-client-noserver.elf; \
	  syms5=$$($(ARM_PREFIX)nm -g --defined-only $(patsubst %.c,$$d/obj/%.o,$(BMQTT_CODEC5_SRCS)) \
	    | awk '$$2 == "T" { printf " -Wl,-u,%s", $$3 }'); \
	  $(SIZE_LINK) $$syms5 -Wl,-Map=$$d/codec5.map $$d/link_empty.o $$d/libbmqtt.a -o $$d/codec5.elf; \
	done
	@$(MAKE) --no-print-directory size-coremqtt-build
	@python3 scripts/size_table.py --size $(ARM_PREFIX)size --cpu "$(SIZE_CPU)" \
	  --dir Os=$(SIZE_DIR)/Os --dir O2=$(SIZE_DIR)/O2 --peer $(COREMQTT_DIR)/figure.txt >$(SIZE_DIR)/size.md
	@cat $(SIZE_DIR)/size.md
	@$(if $(PERF_DOC),python3 scripts/perf_doc.py size $(SIZE_DIR)/size.md $(PERF_DOC))

-include $(shell find $(METAL) -name '*.d' 2>/dev/null)
