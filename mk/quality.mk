# Gates on the unit suite beyond pass/fail (docs/TESTING.md):
#
#   make test-valgrind   every unit binary under valgrind memcheck: no error, no leak
#   make test-client-only the client's tests on a codec built with BMQTT_DECODE_CLIENT_PACKETS=0
#   make coverage        unit suite built with --coverage; gcovr report of src/ in
#                        build/coverage/index.html; fails under COVERAGE_MIN % branches
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
coverage:
	@scripts/deps.sh gcovr
	@rm -rf $(BUILD)/coverage
	@$(MAKE) -s --no-print-directory BUILD=$(BUILD)/coverage CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage" unit
	@set -e; for t in $(patsubst $(BUILD)/%,$(BUILD)/coverage/%,$(UNIT_BINS)); do $$t >/dev/null 2>&1 || \
	  { echo "coverage: $$t failed"; exit 1; }; done
	@gcovr -r . --filter 'src/' --object-directory $(BUILD)/coverage/obj --exclude-unreachable-branches \
	  --exclude-throw-branches --html-details $(BUILD)/coverage/index.html --print-summary \
	  --fail-under-branch $(COVERAGE_MIN) --txt $(BUILD)/coverage/summary.txt $(BUILD)/coverage/obj && \
	  echo "coverage: OK: branch coverage of src/ at or above $(COVERAGE_MIN) % (report: $(BUILD)/coverage/index.html)"

# Client firmware may drop the decoders of client-to-server packets (config.h);
# the session must behave the same.
test-client-only:
	@$(MAKE) -s --no-print-directory BUILD=$(BUILD)/client-only CFLAGS="-O2 -g -DBMQTT_DECODE_CLIENT_PACKETS=0" \
	  $(BUILD)/client-only/tests/test_client
	@$(BUILD)/client-only/tests/test_client >$(BUILD)/client-only/test_client.log 2>&1 || \
	  { cat $(BUILD)/client-only/test_client.log; exit 1; }
	@echo "test-client-only: OK: $$(grep -c '^\[       OK' $(BUILD)/client-only/test_client.log) client tests with BMQTT_DECODE_CLIENT_PACKETS=0"

EXTRA_TESTS += test-valgrind test-client-only coverage
