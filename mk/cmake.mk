# bmqtt for CMake and pkg-config consumers (CMakeLists.txt, bmqtt.pc.in, cmake/):
#
#   make test-cmake   tests/cmake/run.sh: tests/cmake/consumer's programs (the codec, README.md's
#                     client on bmqtt::posix, bmqtt::at + bmqtt::cloud) built with add_subdirectory,
#                     FetchContent, find_package after `cmake --install`, and pkg-config; each run;
#                     a Cortex-M4 firmware by cmake/arm-none-eabi.cmake three ways
.PHONY: test-cmake
test-cmake:
	@scripts/deps.sh build-essential cmake pkg-config libmbedtls-dev liblwip-dev \
	  gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
	@BUILD=$(BUILD) tests/cmake/run.sh

EXTRA_TESTS += test-cmake
