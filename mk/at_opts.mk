# make test-at-opts: the AT interpreter's build options (BMQTT_AT_SUB_SLOTS, BMQTT_AT_TOPIC_MAX in
# include/bmqtt/config.h) at values other than the firmware's 10 and 128: the whole of
# tests/unit/test_at.c, built with 20 slots and 200-byte topics, against src/at built the same way;
# and each impossible value stops the build with its #error.
AT_OPTS_DEFS := -DBMQTT_AT_SUB_SLOTS=20u -DBMQTT_AT_TOPIC_MAX=200u
AT_OPTS_DIR  := $(BUILD)/at-opts
AT_OPTS_BAD  := BMQTT_AT_SUB_SLOTS=0 BMQTT_AT_SUB_SLOTS=256 BMQTT_AT_TOPIC_MAX=0 BMQTT_AT_TOPIC_MAX=256

.PHONY: test-at-opts
test-at-opts:
	@scripts/deps.sh build-essential libcmocka-dev
	@$(MAKE) --no-print-directory $(LIB) $(SUPPORT_OBJS)
	@rm -rf $(AT_OPTS_DIR) && mkdir -p $(AT_OPTS_DIR)
	@set -e; for f in $(BMQTT_AT_SRCS); do \
	  $(CC) $(CFLAGS) $(LIB_WARN) $(INC) $(AT_OPTS_DEFS) -c $$f -o $(AT_OPTS_DIR)/$$(basename $$f .c).o; done
	$(CC) $(CFLAGS) $(TEST_WARN) -D_GNU_SOURCE $(INC) -Itests/support $(AT_OPTS_DEFS) -c tests/unit/test_at.c \
	  -o $(AT_OPTS_DIR)/test_at.o
	$(CC) $(CFLAGS) $(LDFLAGS) $(AT_OPTS_DIR)/*.o $(SUPPORT_OBJS) $(LIB) -lcmocka -o $(AT_OPTS_DIR)/test_at
	$(AT_OPTS_DIR)/test_at
	@set -e; for bad in $(AT_OPTS_BAD); do \
	  if echo '#include "bmqtt/at.h"' | $(CC) -D$$bad -Iinclude -fsyntax-only -xc - 2>$(AT_OPTS_DIR)/err.txt; then \
	    echo "test-at-opts: FAIL: -D$$bad was accepted"; exit 1; fi; \
	  if ! grep -q "error: #error \"$${bad%%=*} must be" $(AT_OPTS_DIR)/err.txt; then \
	    echo "test-at-opts: FAIL: -D$$bad: not its #error:"; cat $(AT_OPTS_DIR)/err.txt; exit 1; fi; \
	  echo "test-at-opts: -D$$bad stops the build: $$(grep -m1 -o '#error.*' $(AT_OPTS_DIR)/err.txt)"; done

EXTRA_TESTS += test-at-opts
