# Gates on the unit suite beyond pass/fail (docs/TESTING.md):
#
#   make test-valgrind   every unit binary under valgrind memcheck: no error, no leak
#   make test-client-only the client's tests on a codec built with BMQTT_DECODE_CLIENT_PACKETS=0
#   make coverage        unit and cloud suites built with --coverage; gcovr report of
#                        src/ in build/coverage/index.html and summary.txt (printed, a
#                        line per file); fails under COVERAGE_MIN % branches
#
# Both run in `make test`.

COVERAGE_MIN ?= 95
VALGRIND     := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all

.PHONY: test-valgrind test-client-only coverage
test-valgrind: unit
	@scripts/deps.sh valgrind
	@set -e; for t in $(UNIT_BINS); do echo "== valgrind $$t"; $(VALGRIND) $$t >$$t.valgrind.log 2>&1 || \
	  { tail -30 $$t.valgrind.log; echo "test-valgrind: FAIL $$t"; exit 1; }; done; \
	echo "test-valgrind: OK: $(words $(UNIT_BINS)) unit binaries, no memcheck error, no leak"

# Branch coverage counts the library's own decisions: gcovr's
# --exclude-unreachable-branches drops the branches GCC adds for itself.
# The gate covers src/ (codec and client) through the unit suite, and the
# cloud layer (cloud/) (mk/cloud.mk) through its two CMocka suites.
COVERAGE_BINS = $(patsubst $(BUILD)/%,$(BUILD)/coverage/%,$(UNIT_BINS) $(CLOUD_TEST_BINS))
coverage:
	@scripts/deps.sh gcovr libcmocka-dev libmbedtls-dev
	@rm -rf $(BUILD)/coverage
	@$(MAKE) -s --no-print-directory BUILD=$(BUILD)/coverage CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage" \
	  $(COVERAGE_BINS)
	@set -e; for t in $(COVERAGE_BINS); do $$t >/dev/null 2>&1 || \
	  { echo "coverage: $$t failed"; exit 1; }; done
	@gcovr -r . --filter 'src/' --filter 'cloud/' --object-directory $(BUILD)/coverage/obj --exclude-unreachable-branches \
	  --exclude-throw-branches --html-details $(BUILD)/coverage/index.html --txt $(BUILD)/coverage/summary.txt -b \
	  --print-summary --fail-under-branch $(COVERAGE_MIN) $(BUILD)/coverage/obj; st=$$?; \
	  cat $(BUILD)/coverage/summary.txt; \
	  if [ $$st -ne 0 ]; then echo "coverage: FAIL: branch coverage of src/ and cloud/ under $(COVERAGE_MIN) % (gcovr status $$st)"; exit 1; fi; \
	  echo "coverage: OK: branch coverage of src/ (codec, client) and cloud/ at or above $(COVERAGE_MIN) % (report: $(BUILD)/coverage/index.html)"

# Client firmware may drop the decoders of client-to-server packets (config.h);
# the session must behave the same.
test-client-only:
	@$(MAKE) -s --no-print-directory BUILD=$(BUILD)/client-only CFLAGS="-O2 -g -DBMQTT_DECODE_CLIENT_PACKETS=0" \
	  $(BUILD)/client-only/tests/test_client
	@$(BUILD)/client-only/tests/test_client >$(BUILD)/client-only/test_client.log 2>&1 || \
	  { cat $(BUILD)/client-only/test_client.log; exit 1; }
	@echo "test-client-only: OK: $$(grep -c '^\[       OK' $(BUILD)/client-only/test_client.log) client tests with BMQTT_DECODE_CLIENT_PACKETS=0"

# The client's suites with the log and assert hooks on (tests/support/hooks_config.h):
# every BMQTT_ASSERT invariant checked through all of them, and BMQTT_LOG seen.
HOOKS_CFLAGS := -O2 -g -DBMQTT_TEST_HOOKS -include tests/support/hooks_config.h
.PHONY: test-client-hooks
test-client-hooks:
	@$(MAKE) -s --no-print-directory BUILD=$(BUILD)/hooks CFLAGS="$(HOOKS_CFLAGS)" \
	  $(BUILD)/hooks/tests/test_client $(BUILD)/hooks/tests/test_client_contract $(BUILD)/hooks/tests/test_client_misuse
	@set -e; for t in test_client test_client_contract test_client_misuse; do \
	  $(BUILD)/hooks/tests/$$t >$(BUILD)/hooks/$$t.log 2>&1 || { cat $(BUILD)/hooks/$$t.log; exit 1; }; \
	  if grep -q SKIPPED $(BUILD)/hooks/$$t.log; then cat $(BUILD)/hooks/$$t.log; echo "test-client-hooks: a test skipped"; exit 1; fi; done
	@echo "test-client-hooks: OK: the client suites pass with BMQTT_ASSERT and BMQTT_LOG hooked"

EXTRA_TESTS += test-valgrind test-client-only coverage test-client-hooks
