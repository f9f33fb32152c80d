# A session that survives a reset (include/bmqtt/persist.h, docs/PORTING.md).
#
#   make test-persist   the unit tests of resume, the store and the NOR log (power cut at
#                       every program/erase) under valgrind, then the reset loops against
#                       mosquitto (100 SIGKILLs each way), the deep-sleep example and
#                       bmqtt-cli --session-file (about 40 s)
#   make soak-persist   the same reset loops with 600 kills each (part of make soak)
#   make size-persist   what resume and the NOR log add to the typical client (Cortex-M4 -Os)

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
test-persist-loops:
	@scripts/deps.sh build-essential mosquitto mosquitto-clients python3-paho-mqtt libmbedtls-dev
	@$(MAKE) -s --no-print-directory $(PERSIST_DEVICE) $(SLEEPY_DEVICE) $(CLI)
	@/usr/bin/python3 tests/persist/reset_loop.py --device $(PERSIST_DEVICE) --sleepy $(SLEEPY_DEVICE) \
	  --cli $(CLI) --kills $(or $(PERSIST_KILLS),100)

soak-persist:
	@$(MAKE) --no-print-directory test-persist-loops PERSIST_KILLS=600

soak: soak-persist

# The unit tests of resume, the store and the NOR log under valgrind (they also run in
# make test-unit, test-asan and test-qemu with the others).
PERSIST_UNIT := $(BUILD)/tests/test_persist $(BUILD)/tests/test_persist_store $(BUILD)/tests/test_nor_log
.PHONY: test-persist-valgrind
test-persist-valgrind:
	@scripts/deps.sh build-essential libcmocka-dev valgrind
	@$(MAKE) -s --no-print-directory $(PERSIST_UNIT)
	@set -e; for t in $(PERSIST_UNIT); do \
	  valgrind -q --error-exitcode=9 --leak-check=full $$t >/dev/null; echo "test-persist-valgrind: $$t OK"; done

test-persist: test-persist-valgrind test-persist-loops

EXTRA_TESTS += test-persist

# Code size for Cortex-M4 -Os (--gc-sections links of tests/qemu/link_client.c, as make size
# links the typical client): the typical client, the same with its session in retained memory
# (-DLINK_RESUME), and in the NOR flash log (-DLINK_STORE, with the outbox); then the objects.
PERSIST_SIZE := $(BUILD)/metal/size-persist
.PHONY: size-persist
size-persist:
	@scripts/deps.sh gcc-arm-none-eabi libnewlib-arm-none-eabi
	@$(MAKE) -s --no-print-directory BUILD=$(PERSIST_SIZE) CC=arm-none-eabi-gcc AR=arm-none-eabi-ar \
	  CFLAGS="-Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections" lib
	@set -e; d=$(PERSIST_SIZE); cc="arm-none-eabi-gcc -Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections"; \
	  link="arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -nostartfiles --specs=nosys.specs -Wl,--gc-sections -Wl,-e,main"; \
	  for v in client:-DNONE outbox:-DLINK_OUTBOX resume:-DLINK_RESUME store:-DLINK_STORE; do \
	    n=$${v%%:*}; $$cc $(TEST_WARN) -Iinclude $${v#*:} -c tests/qemu/link_client.c -o $$d/link_$$n.o; \
	    $$link -Wl,-Map=$$d/$$n.map $$d/link_$$n.o $$d/libbmqtt.a -o $$d/$$n.elf; \
	    printf 'size-persist: typical client %-7s text %6s B\n' $$n $$(arm-none-eabi-size $$d/$$n.elf | awk 'NR == 2 { print $$1 }'); \
	  done; \
	  arm-none-eabi-size $$d/obj/src/client/bmqtt_persist.o $$d/obj/src/client/bmqtt_client_resume.o \
	    $$d/obj/src/client/bmqtt_client_store.o $$d/obj/src/store/bmqtt_nor_log.o
