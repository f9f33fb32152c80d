# bmqtt-cli (examples/posix) option by option against a real mosquitto, with
# mosquitto_pub / mosquitto_sub as the peer (tests/cli/run.sh, docs/CLI.md).
#
#   make test-cli   the suite on build/bmqtt-cli, then again on a build with
#                   AddressSanitizer + UndefinedBehaviorSanitizer (about 40 s)

CLI_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: test-cli
test-cli:
	@scripts/deps.sh build-essential mosquitto mosquitto-clients libmbedtls-dev openssl python3 ca-certificates
	@$(MAKE) -s --no-print-directory $(CLI)
	@CLI=$(CLI) tests/cli/run.sh
	@$(MAKE) -s --no-print-directory BUILD=$(BUILD)/cli-asan CFLAGS="-O1 -g $(CLI_SAN)" LDFLAGS="$(CLI_SAN)" \
	  $(BUILD)/cli-asan/bmqtt-cli
	@echo "test-cli: again with ASan + UBSan"
	@ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 CLI=$(BUILD)/cli-asan/bmqtt-cli tests/cli/run.sh

EXTRA_TESTS += test-cli
