# A session that survives a reset (include/bmqtt/persist.h, docs/PORTING.md).
#
#   make test-persist   unit tests of resume and the flash log (in make test-unit too),
#                       the reset loops against mosquitto (100 SIGKILLs each), the
#                       power-loss test of the NOR log, the deep-sleep example
#   make soak-persist   the same reset loops with 600 kills each (part of make soak)

PERSIST_DEVICE := $(BUILD)/persist_device

# fuzz_persist (mk/fuzz.mk) starts from valid saved sessions that this program writes.
$(BUILD)/fuzz/persist_seeds: tests/fuzz/persist_seeds.c $(BMQTT_SRCS)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O1 -Iinclude $< $(BMQTT_SRCS) -o $@
$(BUILD)/fuzz/fuzz_persist: $(BUILD)/fuzz/persist_seeds

$(PERSIST_DEVICE): $(BUILD)/obj/tests/persist/persist_device.o $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

# The deep-sleep example (examples/common/sleepy_device.c): one process is one wake.
SLEEPY_DEVICE := $(BUILD)/sleepy_posix
$(BUILD)/obj/tests/persist/sleepy_posix.o: INC += -Iexamples/common
$(SLEEPY_DEVICE): $(BUILD)/obj/tests/persist/sleepy_posix.o $(BUILD)/obj/examples/common/sleepy_device.o $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@

.PHONY: test-persist test-persist-loops soak-persist soak
test-persist-loops: $(PERSIST_DEVICE) $(SLEEPY_DEVICE)
	@scripts/deps.sh build-essential mosquitto mosquitto-clients python3-paho-mqtt
	@/usr/bin/python3 tests/persist/reset_loop.py --device $(PERSIST_DEVICE) --sleepy $(SLEEPY_DEVICE) \
	  --kills $(or $(PERSIST_KILLS),100)

soak-persist: $(PERSIST_DEVICE) $(SLEEPY_DEVICE)
	@$(MAKE) --no-print-directory test-persist-loops PERSIST_KILLS=600

soak: soak-persist

test-persist: test-persist-loops

EXTRA_TESTS += test-persist
