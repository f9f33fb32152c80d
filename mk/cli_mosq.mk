# bmqtt-cli next to mosquitto_pub / mosquitto_sub for -F, -R, -T, -U, --retained-only, --unix, --proxy,
# --remove-retained, -V, --repeat-delay, the refusal of -c without -i, -F's %j %J @ with --pretty,
# -I, --nodelay, --quiet and --random-filter:
#
#   make test-cli-mosq  tests/cli/mosq.sh: the same arguments to both tools, exit code, stdout
#                       and what the broker received compared
.PHONY: test-cli-mosq
test-cli-mosq:
	@scripts/deps.sh build-essential mosquitto mosquitto-clients libmbedtls-dev bc microsocks
	@$(MAKE) -s --no-print-directory $(CLI)
	@CLI=$(CLI) tests/cli/mosq.sh

EXTRA_TESTS += test-cli-mosq
