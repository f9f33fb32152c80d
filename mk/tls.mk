# TLS port (port/mbedtls) and its tests: real handshakes against mosquitto and
# openssl s_server, on Debian's libmbedtls-dev (see docs/TLS.md).
#
#   make test-tls         the TLS suite, then the same under valgrind
#   make test-tls-versions mbedTLS 2.28 LTS (bookworm) and 3.6 LTS (trixie) built from Debian's
#                         source packages: the suite on each (3.6 under valgrind too), the MCU
#                         configuration's handshakes and pool peaks, and the Cortex-M4 flash a
#                         --gc-sections link keeps of mbedTLS (tests/tls/versions.sh); the
#                         libraries are cached under build/mbedtls/<version>/
#   make tls-bench        handshake cost on QEMU Cortex-M4 (full, resumed by ticket and by
#                         session id): instructions, bytes on the wire, pool peak
#   make test-fuzz-tls    libFuzzer on saved-session parsing
#   make tls-config-check the MCU config header against the installed mbedTLS headers,
#                         host and Cortex-M4, and the port's flash size
#
# mbedTLS's own calloc/free calls are bound to a static pool in the test
# (tests/tls/pool.c) by linking its static archives with --wrap.

TLS_INCS    := $(addprefix -I,$(BMQTT_TLS_INCS)) -Itests/tls
TLS_BIN     := $(BUILD)/tls_test
TLS_OBJS    := $(BUILD)/obj/tests/tls/tls_test.o $(BUILD)/obj/tests/tls/pool.o \
               $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_TLS_SRCS) $(BMQTT_POSIX_SRCS))
TLS_LDLIBS  := -Wl,--wrap=calloc -Wl,--wrap=free \
               -Wl,-Bstatic -lmbedtls -lmbedx509 -lmbedcrypto -Wl,-Bdynamic -lpthread

$(BUILD)/obj/port/mbedtls/%.o $(BUILD)/obj/tests/tls/%.o: INC += $(TLS_INCS)

$(TLS_BIN): $(TLS_OBJS) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(TLS_LDLIBS) -o $@

# Session resumption: several connections on one context, saved sessions (tests/tls/resume_test.c).
TLS_RESUME_BIN := $(BUILD)/tls_resume_test
$(TLS_RESUME_BIN): $(BUILD)/obj/tests/tls/resume_test.o $(filter-out %/tls_test.o,$(TLS_OBJS)) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(TLS_LDLIBS) -o $@

.PHONY: test-tls tls-config-check test-tls-versions tls-versions-run
test-tls: $(TLS_BIN) $(TLS_RESUME_BIN) $(CLI)
	@scripts/deps.sh mosquitto mosquitto-clients openssl valgrind ca-certificates python3
	@CLI=$(CLI) RESUME_BIN=$(TLS_RESUME_BIN) tests/tls/run.sh $(TLS_BIN)

TLSV_PKGS := dpkg-dev mosquitto mosquitto-clients openssl valgrind python3 ca-certificates \
             gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm
test-tls-versions:
	@scripts/deps.sh $(TLSV_PKGS)
	@$(MAKE) --no-print-directory tls-versions-run

tls-versions-run: $(LIB)
	@BUILD=$(BUILD) BMQTT_LIB=$(LIB) LIB_WARN="$(LIB_WARN)" CROSS=$(CROSS) tests/tls/versions.sh
	@BUILD=$(BUILD) tests/tls/qemu_bench.sh

# The handshake figures of docs/TLS.md: instructions, bytes on the wire and pool peak of a
# full, a ticket-resumed and an id-resumed handshake, client side, on QEMU mps2-an386 -icount
# (tests/tls/qemu_tls_bench.c), mbedTLS 2.28 and 3.6 from source. Also run by test-tls-versions.
.PHONY: tls-bench
tls-bench:
	@scripts/deps.sh $(TLSV_PKGS)
	@BUILD=$(BUILD) tests/tls/qemu_bench.sh

EXTRA_TESTS += test-tls test-tls-versions

# The shipped MCU configuration must pass mbedTLS's check_config.h and build the
# port warning-free, on the host and for Cortex-M4 (headers of the installed mbedTLS).
TLS_CFG := -DMBEDTLS_CONFIG_FILE='"bmqtt_mbedtls_config.h"'
tls-config-check:
	@mkdir -p $(BUILD)/tls-cfg/inc
	@ln -sfn $$(dirname $$(echo '#include <mbedtls/version.h>' | $(CC) -M -xc - | tr ' ' '\n' | grep 'mbedtls/version.h')) $(BUILD)/tls-cfg/inc/mbedtls
	$(CC) -Os $(LIB_WARN) $(INC) $(TLS_INCS) $(TLS_CFG) -c port/mbedtls/bmqtt_tls.c -o $(BUILD)/tls-cfg/host.o
	$(CC) -Os $(LIB_WARN) $(INC) $(TLS_INCS) $(TLS_CFG) -c port/mbedtls/bmqtt_tls_session.c -o $(BUILD)/tls-cfg/host-session.o
	$(CROSS)gcc -Os $(CROSS_CPU) -ffunction-sections -fdata-sections $(LIB_WARN) $(INC) $(TLS_INCS) \
	  -I$(BUILD)/tls-cfg/inc $(TLS_CFG) -c port/mbedtls/bmqtt_tls.c -o $(BUILD)/tls-cfg/bmqtt_tls-m4.o
	$(CROSS)gcc -Os $(CROSS_CPU) -ffunction-sections -fdata-sections $(LIB_WARN) $(INC) $(TLS_INCS) \
	  -I$(BUILD)/tls-cfg/inc $(TLS_CFG) -c port/mbedtls/bmqtt_tls_session.c -o $(BUILD)/tls-cfg/bmqtt_tls_session-m4.o
	$(CROSS)size $(BUILD)/tls-cfg/bmqtt_tls-m4.o $(BUILD)/tls-cfg/bmqtt_tls_session-m4.o
	@echo "tls-config-check: OK: bmqtt_mbedtls_config.h passes check_config.h; port builds for host and Cortex-M4"


# libFuzzer on saved-session parsing (bmqtt_tls_session_offer(): the envelope, then mbedTLS's
# mbedtls_ssl_session_load() behind a valid envelope), seeded with real saved sessions.
#   make test-fuzz-tls FUZZ_TLS_SECONDS=N   (default 30)
FUZZ_TLS_SECONDS ?= 30
FUZZ_TLS_BIN := $(BUILD)/fuzz/fuzz_tls_session
$(FUZZ_TLS_BIN): tests/fuzz/fuzz_tls_session.c $(BMQTT_TLS_SRCS) port/mbedtls/bmqtt_tls.h src/codec/bmqtt_status.c
	@mkdir -p $(dir $@)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude -Iport/mbedtls \
	  $< $(BMQTT_TLS_SRCS) src/codec/bmqtt_status.c -lmbedtls -lmbedx509 -lmbedcrypto -o $@

.PHONY: test-fuzz-tls
test-fuzz-tls:
	@scripts/deps.sh clang libclang-rt-14-dev libmbedtls-dev
	@$(MAKE) --no-print-directory $(FUZZ_TLS_BIN)
	@c=$(BUILD)/fuzz/corpus-tls-session; mkdir -p $$c; cp tests/fuzz/seeds-tls-session/* $$c/; \
	  if ! $(FUZZ_TLS_BIN) -max_total_time=$(FUZZ_TLS_SECONDS) -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ \
	      $$c >$(BUILD)/fuzz/fuzz_tls_session.log 2>&1; then tail -40 $(BUILD)/fuzz/fuzz_tls_session.log; exit 1; fi; \
	  grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' $(BUILD)/fuzz/fuzz_tls_session.log; \
	  echo "test-fuzz-tls: OK ($(FUZZ_TLS_SECONDS) s, no crash, every input BMQTT_OK / BMQTT_ERR_TLS_SESSION / BMQTT_ERR_TLS_ALLOC)"

EXTRA_TESTS += test-fuzz-tls
