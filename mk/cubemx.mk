# bmqtt.mk in a Makefile of STM32CubeMX's shape (tests/cubemx):
#
#   make test-cubemx   the user's three lines after C_INCLUDES, before the vpath line and
#                      appended at the end, cross-compiled for Cortex-M4; docs/BUILDING.md's
#                      table for IDE users names every source of bmqtt.mk
.PHONY: test-cubemx
test-cubemx:
	@scripts/deps.sh gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
	@BUILD=$(BUILD) tests/cubemx/run.sh
	@/usr/bin/python3 tests/cubemx/ide_table.py

EXTRA_TESTS += test-cubemx
