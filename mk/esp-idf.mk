# bmqtt as an ESP-IDF component (CMakeLists.txt's ESP-IDF branch, examples/esp-idf):
#
#   make test-esp-idf  the component's CMakeLists run as ESP-IDF's early expansion and
#                      registration run it; every registered source compiled with ESP-IDF's
#                      flags for an ESP32-C3 (RV32IMC), without ESP-IDF itself
.PHONY: test-esp-idf
test-esp-idf:
	@scripts/deps.sh cmake gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf liblwip-dev libmbedtls-dev pkg-config
	@BUILD=$(BUILD) tests/esp-idf/run.sh

EXTRA_TESTS += test-esp-idf
