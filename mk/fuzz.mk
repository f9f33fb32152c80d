# libFuzzer harnesses (clang, ASan + UBSan) over the library sources.
#
#   make fuzz FUZZ_SECONDS=N   every harness N seconds (default 60), seeded from tests/vectors
#                              (fuzz_cloud from tests/fuzz/seeds-cloud)
#   make test-fuzz             the short run CI does (FUZZ_SECONDS=30 each: seven harnesses)
#
# Harnesses: fuzz_codec (every decoder, framer, decode->encode round trip),
# fuzz_topic (matching and UTF-8 against reference implementations),
# fuzz_client (the client and a scripted broker: publishes through the queue and outbox,
# requests, reconnects, transport limits; what it sends is decoded and checked),
# fuzz_cloud (the cloud layer on mbedTLS's crypto: the Aliyun /ext/register
# JSON parser against a strict reference parser, and every credentials, host,
# topic and Alink function on arbitrary fields against strings built in the harness),
# fuzz_ws (port/websocket: handshake and frames against a reference parser; seeds-ws),
# fuzz_codec5 (the MQTT 5.0 decoders and encoders; seeded with tests/vectors, mqtt5/captures among them).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude
FUZZ_NAMES   := fuzz_codec fuzz_topic fuzz_client fuzz_cloud fuzz_ws fuzz_at fuzz_codec5 fuzz_persist
FUZZ_BINS    := $(addprefix $(BUILD)/fuzz/,$(FUZZ_NAMES))
# The cloud layer needs its own sources, the status names of the core (it registers its own
# range there) and mbedTLS's crypto; not the rest of the codec or the client.
FUZZ_CLOUD_DEPS := tests/fuzz/fuzz_cloud.c $(BMQTT_CLOUD_SRCS) cloud/bmqtt_cloud_internal.h include/bmqtt/aliyun.h \
                   include/bmqtt/cloud.h src/codec/bmqtt_status.c

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BMQTT_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(BMQTT_SRCS) -o $@

$(BUILD)/fuzz/fuzz_cloud: $(FUZZ_CLOUD_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(BMQTT_CLOUD_SRCS) src/codec/bmqtt_status.c -lmbedcrypto -o $@

# fuzz_ws: port/websocket's handshake and frame parsers (seeds: captured exchanges, tests/fuzz/seeds-ws).
FUZZ_WS_DEPS := tests/fuzz/fuzz_ws.c $(BMQTT_WS_SRCS) port/websocket/bmqtt_ws.h src/codec/bmqtt_status.c
$(BUILD)/fuzz/fuzz_ws: $(FUZZ_WS_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -D_GNU_SOURCE -Iport/websocket $< $(BMQTT_WS_SRCS) src/codec/bmqtt_status.c -lmbedcrypto -o $@

# $(call fuzz_seed,FIND-TESTS): copy harness h's seeds to $$seeds and name its dictionary in
# $$dict (shell); the MQTT vectors that FIND-TESTS picks mean nothing to fuzz_cloud.
fuzz_seed = case $$h in \
	  fuzz_cloud) cp tests/fuzz/seeds-cloud/* $$seeds/; dict=tests/fuzz/cloud.dict ;; \
	  fuzz_at) cp tests/fuzz/seeds-at/* $$seeds/; dict=tests/fuzz/at.dict ;; \
	  fuzz_ws) cp tests/fuzz/seeds-ws/* $$seeds/; dict=tests/fuzz/ws.dict ;; \
	  fuzz_codec5) find tests/vectors -type f $(1) -exec cp {} $$seeds/ \; ; dict=tests/fuzz/mqtt5.dict ;; \
	  fuzz_persist) $(BUILD)/fuzz/persist_seeds $$seeds/ >/dev/null; dict=tests/fuzz/persist.dict ;; \
	  *) find tests/vectors -type f $(1) -exec cp {} $$seeds/ \; ; dict=tests/fuzz/mqtt.dict ;; \
	esac

.PHONY: fuzz fuzz-deps test-fuzz
fuzz-deps:
	@scripts/deps.sh clang libclang-rt-14-dev libmbedtls-dev

# Each harness runs FUZZ_SECONDS; a crash stops the target with the fuzzer's report,
# and the reproducer lands in $(BUILD)/fuzz/ (crash-*).
fuzz: fuzz-deps $(FUZZ_BINS)
	@set -e; for h in $(FUZZ_NAMES); do \
	  corpus=$(BUILD)/fuzz/corpus-$$h; log=$(BUILD)/fuzz/$$h.log; mkdir -p $$corpus; \
	  seeds=$$corpus; $(call fuzz_seed,\( -name '*.raw' -o -path '*/valid/*' \) ! -name LICENCE ! -name '*.txt'); \
	  echo "== $$h for $(FUZZ_SECONDS) s"; \
	  if ! $(BUILD)/fuzz/$$h -max_total_time=$(FUZZ_SECONDS) -dict=$$dict -print_final_stats=1 \
	      -artifact_prefix=$(BUILD)/fuzz/ $$corpus >$$log 2>&1; then tail -40 $$log; exit 1; fi; \
	  grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' $$log; \
	done

test-fuzz:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

EXTRA_TESTS += test-fuzz

# The same harnesses under AFL++ (Debian's afl++): afl-clang-fast links them with
# AFL++'s libFuzzer-compatible driver. Not in CI; for long runs by people.
#
#   make afl AFL_SECONDS=3600        every harness for AFL_SECONDS, results in $(BUILD)/afl/<harness>/
AFL_SECONDS ?= 60
AFL_BINS    := $(addprefix $(BUILD)/afl/,$(FUZZ_NAMES))

$(BUILD)/afl/%: tests/fuzz/%.c $(BMQTT_SRCS)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 afl-clang-fast -g -O1 -fsanitize=fuzzer -Iinclude $< $(BMQTT_SRCS) -o $@

$(BUILD)/afl/fuzz_cloud: $(FUZZ_CLOUD_DEPS)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 afl-clang-fast -g -O1 -fsanitize=fuzzer -Iinclude $< $(BMQTT_CLOUD_SRCS) -lmbedcrypto -o $@

$(BUILD)/afl/fuzz_ws: $(FUZZ_WS_DEPS)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 afl-clang-fast -g -O1 -fsanitize=fuzzer -D_GNU_SOURCE -Iinclude -Iport/websocket $< $(BMQTT_WS_SRCS) \
	  src/codec/bmqtt_status.c -lmbedcrypto -o $@

.PHONY: afl afl-deps
afl-deps:
	@scripts/deps.sh afl++ clang libmbedtls-dev

afl: afl-deps $(AFL_BINS)
	@set -e; for h in $(FUZZ_NAMES); do \
	  d=$(BUILD)/afl/$$h.run; rm -rf $$d; mkdir -p $$d/in; \
	  seeds=$$d/in; $(call fuzz_seed,-name '*.raw'); \
	  echo "== AFL++ $$h for $(AFL_SECONDS) s"; \
	  AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
	    afl-fuzz -i $$d/in -o $$d/out -V $(AFL_SECONDS) -x $$dict -- $(BUILD)/afl/$$h >$$d/afl.log 2>&1; \
	  grep -E '^(execs_done|execs_per_sec|saved_crashes|saved_hangs)' $$d/out/default/fuzzer_stats; \
	  if ! grep -qE '^saved_crashes +: 0$$' $$d/out/default/fuzzer_stats; then echo "afl: $$h crashed: $$d/out/default/crashes"; exit 1; fi; \
	done
