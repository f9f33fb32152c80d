# Docs that answer (docs/TROUBLESHOOTING.md, docs/SIZING.md, examples/README.md, the reference):
#
#   make sizing        docs/SIZING.md's table recomputed and written (scripts/sizing/sizing.sh)
#   make test-doc-pages every status of the headers in docs/TROUBLESHOOTING.md with its number;
#                      docs/SIZING.md's table as the code computes it; every example folder in
#                      examples/README.md; every docs/*.md a page of `make docs`, the TLS pool
#                      functions in the reference
.PHONY: sizing test-doc-pages
sizing:
	@scripts/deps.sh build-essential gcc-arm-none-eabi libnewlib-arm-none-eabi libmbedtls-dev
	@scripts/sizing/sizing.sh $(BUILD) --write

test-doc-pages: docs
	@scripts/deps.sh build-essential gcc-arm-none-eabi libnewlib-arm-none-eabi libmbedtls-dev
	@/usr/bin/python3 tests/docs/statuses.py
	@scripts/sizing/sizing.sh $(BUILD) --check
	@set -e; bad=""; for d in examples/*/; do d=$${d%/}; d=$${d#examples/}; \
	  grep -q "^| \`$$d/\` |" examples/README.md || bad="$$bad $$d"; done; \
	  if [ -n "$$bad" ]; then echo "doc-pages: FAIL: examples/README.md does not list:$$bad"; exit 1; fi; \
	  echo "doc-pages: ok: examples/README.md lists all $$(ls -d examples/*/ | wc -l) example folders"
	@set -e; bad=""; for f in docs/*.md; do n=$$(basename $$f .md); \
	  [ -f $(BUILD)/docs/html/md_docs_$$n.html ] || bad="$$bad $$f"; done; \
	  for fn in bmqtt_tls_pool_init bmqtt_tls_pool_usage; do \
	    grep -q "$$fn" $(BUILD)/docs/html/bmqtt__tls_8h.html || bad="$$bad $$fn"; done; \
	  if [ -n "$$bad" ]; then echo "doc-pages: FAIL: not in the reference:$$bad"; exit 1; fi; \
	  echo "doc-pages: ok: $$(ls docs/*.md | wc -l) docs/*.md pages and the TLS pool functions in the reference"

EXTRA_TESTS += test-doc-pages
