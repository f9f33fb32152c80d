# Every target documented in the Makefile's and mk/*.mk's header comments, in the form
# "#   make <target>   what it does", and the tests `make test` runs:
#
#   make help          this list
.PHONY: help
help:
	@echo "bmqtt: make <target>   (docs/TESTING.md says what each test checks)"
	@echo
	@awk '/^#[ \t]+make [a-z]/ { sub(/^#[ \t]+make /, ""); t = $$1; sub(/^[^ \t]+[ \t]*/, ""); \
	  printf "  %-20s %s\n", t, $$0 }' Makefile $(sort $(wildcard mk/*.mk)) | awk '!seen[$$1]++'
	@echo
	@echo "make test runs: test-unit test-asan heapcheck test-integration $(EXTRA_TESTS)"
