# Runs a component's CMakeLists.txt as ESP-IDF does, in script mode (cmake -P):
#   -DPHASE=early  ESP-IDF's early expansion (tools/cmake/scripts/component_get_requirements.cmake):
#                  CMAKE_BUILD_EARLY_EXPANSION set, ESP_PLATFORM not yet (idf_build_process sets
#                  it later); idf_component_register is a macro that records REQUIRES and
#                  PRIV_REQUIRES and return()s out of the component's file; no project exists;
#   -DPHASE=full   the registration itself, ESP_PLATFORM set: SRCS, INCLUDE_DIRS and REQUIRES
#                  are recorded.
# -DCOMPONENT_DIR=<dir> -DOUT=<file>: what was registered is written to OUT as NAME=value lines.
set(IDF_TARGET esp32c3)
set(COMPONENT_NAME bmqtt)
if(PHASE STREQUAL "early")
  set(CMAKE_BUILD_EARLY_EXPANSION 1)
  macro(idf_component_register)
    cmake_parse_arguments(_ "" "KCONFIG;KCONFIG_PROJBUILD" "SRCS;SRC_DIRS;INCLUDE_DIRS;REQUIRES;PRIV_REQUIRES;EMBED_TXTFILES" ${ARGN})
    file(WRITE ${OUT} "REQUIRES=${__REQUIRES}\nPRIV_REQUIRES=${__PRIV_REQUIRES}\nREGISTERED=1\n")
    return()
  endmacro()
else()
  set(ESP_PLATFORM 1)
  function(idf_component_register)
    cmake_parse_arguments(A "" "" "SRCS;SRC_DIRS;INCLUDE_DIRS;PRIV_INCLUDE_DIRS;REQUIRES;PRIV_REQUIRES;EMBED_TXTFILES" ${ARGN})
    file(WRITE ${OUT} "SRCS=${A_SRCS}\nINCLUDE_DIRS=${A_INCLUDE_DIRS}\nREQUIRES=${A_REQUIRES}\nPRIV_REQUIRES=${A_PRIV_REQUIRES}\nREGISTERED=1\n")
  endfunction()
endif()
include(${COMPONENT_DIR}/CMakeLists.txt)
