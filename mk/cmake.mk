# bmqtt for CMake and pkg-config consumers (CMakeLists.txt, bmqtt.pc.in, cmake/):
#
#   make test-cmake   tests/cmake/run.sh: tests/cmake/consumer built with add_subdirectory(bmqtt)
#                     and with find_package(bmqtt CONFIG) after `cmake --install` into
#                     $(BUILD)/cmake-prefix, and main.c with pkg-config; each binary run
.PHONY: test-cmake
test-cmake:
	@scripts/deps.sh build-essential cmake pkg-config
	@BUILD=$(BUILD) tests/cmake/run.sh

EXTRA_TESTS += test-cmake
