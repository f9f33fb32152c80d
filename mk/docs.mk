# Docs that are code.
#
#   make test-docs   every ```c block of README.md, docs/*.md and examples/*/README.md
#                    compiles on its own (tests/docs/run.sh; the convention is in docs/TESTING.md)
#   make docs        the API reference of include/bmqtt/*.h and port/*/bmqtt_*.h with Doxygen
#                    (docs/Doxyfile) into $(BUILD)/docs/html/index.html; any warning fails it
.PHONY: test-docs docs
test-docs:
	@scripts/deps.sh build-essential libmbedtls-dev
	@BUILD=$(BUILD) tests/docs/run.sh

docs:
	@scripts/deps.sh doxygen
	@mkdir -p $(BUILD)/docs
	@( cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $(BUILD)/docs"; echo "PROJECT_NUMBER = $(BMQTT_VERSION)" ) | \
	  doxygen - >$(BUILD)/docs/doxygen.log 2>$(BUILD)/docs/warnings.log; rc=$$?; \
	  if [ $$rc -ne 0 ] || [ -s $(BUILD)/docs/warnings.log ]; then \
	    sed 's|^$(CURDIR)/||' $(BUILD)/docs/warnings.log >&2; \
	    echo "docs: FAIL: doxygen exited $$rc with $$(grep -c ': \(warning\|error\):' $(BUILD)/docs/warnings.log) warnings (docs/Doxyfile)" >&2; exit 1; \
	  fi; \
	  echo "docs: OK: $$(ls $(BUILD)/docs/html/*.html | wc -l) HTML pages in $(BUILD)/docs/html, no doxygen warning"

EXTRA_TESTS += test-docs docs
