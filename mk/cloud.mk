# Cloud credentials (include/bmqtt/aliyun.h, include/bmqtt/cloud.h; docs/CLOUDS.md):
# a layer of its own on mbedTLS's md and base64 modules (Debian's libmbedtls-dev).
#
#   make test-cloud   CMocka suites (known answers, sizes, bad arguments, limits),
#                     again under ASan+UBSan, then tests/cloud/run.sh: every sign
#                     method against openssl/python computed at test time, and
#                     aliyun-cred against a mosquitto with a password file
#   make cloud-size   each cloud object for Cortex-M4 -Os (arm-none-eabi-gcc)
#   make cloud-tools  build/aliyun-cred and build/cloud-cred

CLOUD_LIB        := $(BUILD)/libbmqtt_cloud.a
CLOUD_OBJS       := $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_CLOUD_SRCS))
CLOUD_TEST_BINS  := $(BUILD)/cloud/test_aliyun $(BUILD)/cloud/test_cloud
ALIYUN_CLI       := $(BUILD)/aliyun-cred
CLOUD_CLI        := $(BUILD)/cloud-cred

$(CLOUD_LIB): $(CLOUD_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/cloud/test_%: $(BUILD)/obj/tests/cloud/test_%.o $(SUPPORT_OBJS) $(CLOUD_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -lcmocka -lmbedcrypto -o $@

# aliyun-cred --broker speaks TLS (securemode 2, the default) through port/mbedtls.
$(BUILD)/obj/examples/aliyun/%.o: INC += -Iport/mbedtls
$(ALIYUN_CLI): $(BUILD)/obj/examples/aliyun/aliyun_cred.o $(patsubst %.c,$(BUILD)/obj/%.o,$(BMQTT_TLS_SRCS)) $(CLOUD_LIB) \
        $(PORT_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -lmbedtls -lmbedx509 -lmbedcrypto -o $@

$(CLOUD_CLI): $(BUILD)/obj/examples/cloud-cred/cloud_cred.o $(CLOUD_LIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -lmbedcrypto -o $@

.PHONY: test-cloud cloud-unit cloud-tools cloud-size
cloud-tools: $(ALIYUN_CLI) $(CLOUD_CLI)

cloud-unit: $(CLOUD_TEST_BINS)
	@set -e; for t in $(CLOUD_TEST_BINS); do echo "== $$t"; $$t; done

test-cloud: cloud-unit cloud-tools
	@scripts/deps.sh ca-certificates
	@if nm -u $(CLOUD_LIB) | grep -wE 'malloc|calloc|realloc|free'; then \
	  echo "test-cloud: FAIL: $(CLOUD_LIB) references the heap"; exit 1; \
	else echo "test-cloud: $(CLOUD_LIB) references no malloc/calloc/realloc/free (mbedTLS's md context uses its own calloc)"; fi
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/asan CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" cloud-unit
	@ALIYUN_CLI=$(ALIYUN_CLI) CLOUD_CLI=$(CLOUD_CLI) tests/cloud/run.sh

EXTRA_TESTS += test-cloud

# Cortex-M4 -Os objects against the installed mbedTLS headers with the MCU
# config (and its cloud hashes), the way tls-config-check points the cross compiler at them.
CLOUD_CFG := -DMBEDTLS_CONFIG_FILE='"bmqtt_mbedtls_config.h"' -DBMQTT_MBEDTLS_CLOUD_HASHES
cloud-size:
	@mkdir -p $(BUILD)/cloud-m4/inc
	@ln -sfn $$(dirname $$(echo '#include <mbedtls/version.h>' | $(CC) -M -xc - | tr ' ' '\n' | grep 'mbedtls/version.h')) $(BUILD)/cloud-m4/inc/mbedtls
	@set -e; for s in $(BMQTT_CLOUD_SRCS); do \
	  $(CROSS)gcc -Os $(CROSS_CPU) -ffunction-sections -fdata-sections $(LIB_WARN) $(INC) \
	    $(addprefix -I,$(BMQTT_TLS_INCS)) -I$(BUILD)/cloud-m4/inc $(CLOUD_CFG) \
	    -c $$s -o $(BUILD)/cloud-m4/$$(basename $$s .c).o; done
	$(CROSS)size -t $(patsubst %.c,$(BUILD)/cloud-m4/%.o,$(notdir $(BMQTT_CLOUD_SRCS)))
	@# What a firmware that only computes Aliyun credentials keeps (--gc-sections); mbedTLS
	@# is replaced by empty stubs so that only bmqtt's own bytes are counted.
	@rm -f $(BUILD)/cloud-m4/libbmqtt.a && $(CROSS)ar rcs $(BUILD)/cloud-m4/libbmqtt.a \
	  $(patsubst %.c,$(BUILD)/cloud-m4/%.o,$(notdir $(BMQTT_CLOUD_SRCS)))
	@$(CROSS)nm -u $(BUILD)/cloud-m4/libbmqtt.a | awk '$$2 ~ /^mbedtls_/ { print "void " $$2 "(void); void " $$2 "(void) {}" }' \
	  | sort -u >$(BUILD)/cloud-m4/stubs.c
	@$(CROSS)gcc -Os $(CROSS_CPU) -ffunction-sections -Iinclude -c tests/cloud/link_aliyun_cred.c -o $(BUILD)/cloud-m4/link.o
	@$(CROSS)gcc -Os $(CROSS_CPU) -ffunction-sections -c $(BUILD)/cloud-m4/stubs.c -o $(BUILD)/cloud-m4/stubs.o
	@$(CROSS)gcc $(CROSS_CPU) -nostartfiles --specs=nosys.specs -Wl,--gc-sections -Wl,-e,main \
	  -Wl,-Map=$(BUILD)/cloud-m4/aliyun-cred.map $(BUILD)/cloud-m4/link.o $(BUILD)/cloud-m4/stubs.o \
	  $(BUILD)/cloud-m4/libbmqtt.a -o $(BUILD)/cloud-m4/aliyun-cred.elf
	@python3 -c 'import sys; sys.path.insert(0, "scripts"); from size_table import map_sizes; \
	  t, d, b = map_sizes(sys.argv[1]); print("cloud-size: bmqtt_aliyun_credentials() alone links %d B of the cloud layer (text + data, --gc-sections)" % (t + d))' \
	  $(BUILD)/cloud-m4/aliyun-cred.map
