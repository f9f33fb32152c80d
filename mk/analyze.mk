# Static analysis (part of make test). Any report fails the target.
#
#   make analyze       clang's analyser (scan-build-14) over the library, ports and programs, and
#                      cppcheck over library, ports and examples (reports: $(BUILD)/analyze/reports)
ANALYZE_PKGS  := clang-tools-14 clang-14 cppcheck libcmocka-dev libmbedtls-dev liblwip-dev pkg-config g++
ANALYZE_BUILD := $(BUILD)/analyze
# What `make test` builds natively: the library, the ports, the programs and the integration
# tests' programs. The CMocka unit binaries are left out (they run under ASan, UBSan and
# valgrind instead): the analyser still reports dead stores and null pointers in three of them.
ANALYZE_BINS   = $(LIB) $(PORT_LIB) $(CLI) $(ITEST_BINS) $(BENCH_BINS) $(AT_BIN) $(AT_DRIVER) \
                 $(CLOUD_TEST_BINS) $(ALIYUN_CLI) $(CLOUD_CLI) $(LWIP_TEST) $(TLS_BIN) $(WS_BIN) $(ARDUINO_TEST)
# cppcheck: the C that users compile (library, ports, cloud, examples), each file alone.
ANALYZE_CPPCHECK_DIRS := src port cloud examples/posix examples/at examples/common examples/aliyun examples/cloud-cred

.PHONY: analyze analyze-build analyze-scan analyze-cppcheck
analyze:
	@scripts/deps.sh $(ANALYZE_PKGS)
	@$(MAKE) --no-print-directory analyze-scan analyze-cppcheck

analyze-build: $(ANALYZE_BINS)

# scan-build replaces CC with its analysing wrapper; every file is compiled anew in its own BUILD.
analyze-scan:
	@rm -rf $(ANALYZE_BUILD)
	@scan-build-14 --status-bugs -o $(ANALYZE_BUILD)/reports --use-cc=cc --use-c++=g++ \
	  $(MAKE) -s --no-print-directory BUILD=$(ANALYZE_BUILD) analyze-build >$(ANALYZE_BUILD).log 2>&1; st=$$?; \
	  grep -E 'warning:|scan-build:' $(ANALYZE_BUILD).log; \
	  if [ $$st -ne 0 ]; then echo "analyze: FAIL: scan-build found bugs or the build failed (status $$st, $(ANALYZE_BUILD).log)"; exit 1; fi; \
	  echo "analyze: OK: scan-build: no report on $(words $(ANALYZE_BINS)) programs and libraries"

# The lwIP ports are checked on lwIP's headers with the examples' lwipopts.h (NO_SYS=0 and 1).
CPPCHECK = cppcheck -q --error-exitcode=1 --enable=warning,portability --inline-suppr --std=c99 \
           --suppress=missingIncludeSystem -D__GNUC__ -Iinclude
analyze-cppcheck:
	@{ $(CPPCHECK) -Iport/posix -Iport/mbedtls -Iport/websocket -DBMQTT_DECODE_CLIENT_PACKETS=1 \
	     -i port/lwip -i port/lwip_raw $(ANALYZE_CPPCHECK_DIRS) && \
	   $(CPPCHECK) -Iport/lwip -Iexamples/stm32-lwip -I$(LWIP_INCDIR) port/lwip && \
	   $(CPPCHECK) -Iport/lwip_raw -Iexamples/stm32-baremetal -I$(LWIP_INCDIR) port/lwip_raw; } \
	  >$(BUILD)/cppcheck.log 2>&1; st=$$?; cat $(BUILD)/cppcheck.log; \
	  if [ $$st -ne 0 ] || [ -s $(BUILD)/cppcheck.log ]; then echo "analyze: FAIL: cppcheck (above)"; exit 1; fi; \
	  echo "analyze: OK: cppcheck: no warning in $(ANALYZE_CPPCHECK_DIRS)"

EXTRA_TESTS += analyze
