# CMake toolchain file for Arm Cortex-M with the GNU Arm toolchain (arm-none-eabi-gcc + newlib):
#
#   cmake -B build-m4 -DCMAKE_TOOLCHAIN_FILE=path/to/bmqtt/cmake/arm-none-eabi.cmake \
#         -DBMQTT_CPU_FLAGS="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
#
# The core must be chosen with BMQTT_CPU_FLAGS (default: Cortex-M4, soft float). Executables link
# with newlib-nano and its nosys stubs unless your project passes its own specs and linker script.
# bmqtt's unit tests are off in a cross build (they run on the host, or under QEMU with make).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(BMQTT_TOOLCHAIN_PREFIX "arm-none-eabi-" CACHE STRING "Prefix of the GNU Arm tools")
set(BMQTT_CPU_FLAGS "-mcpu=cortex-m4 -mthumb" CACHE STRING "Core and ABI flags for every file")

set(CMAKE_C_COMPILER ${BMQTT_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_CXX_COMPILER ${BMQTT_TOOLCHAIN_PREFIX}g++)
set(CMAKE_ASM_COMPILER ${BMQTT_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_AR ${BMQTT_TOOLCHAIN_PREFIX}ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${BMQTT_TOOLCHAIN_PREFIX}ranlib CACHE FILEPATH "")
set(CMAKE_SIZE ${BMQTT_TOOLCHAIN_PREFIX}size CACHE FILEPATH "")

set(CMAKE_C_FLAGS_INIT "${BMQTT_CPU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${BMQTT_CPU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${BMQTT_CPU_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${BMQTT_CPU_FLAGS} -Wl,--gc-sections --specs=nano.specs --specs=nosys.specs")

# No executable can run here: compiler checks build a static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Headers and libraries of the target only (an install prefix given in CMAKE_PREFIX_PATH or
# CMAKE_FIND_ROOT_PATH); programs from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
