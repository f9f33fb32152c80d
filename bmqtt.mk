# bmqtt source list: the one list every build reads (Makefile, CMakeLists.txt,
# and any Makefile-based firmware that includes this file).
#
#   include path/to/bmqtt/bmqtt.mk
#   SRCS   += $(BMQTT_SRCS)            # codec + client
#   CFLAGS += $(addprefix -I,$(BMQTT_INCS))
#
# Keep one "VAR += $(BMQTT_DIR)path" per line: cmake/bmqtt_sources.cmake parses them.
# Where the lines go in an STM32CubeMX Makefile, and which files an IDE needs: docs/BUILDING.md.

# The one version string: include/bmqtt/version.h, idf_component.yml, library.json and
# CMakeLists.txt follow it (scripts/version.py set X.Y.Z; make test-version checks).
BMQTT_VERSION := 0.1.0
BMQTT_DIR ?= $(dir $(lastword $(MAKEFILE_LIST)))

# Codec: all 14 packet types, varint, UTF-8/topic checks, framer.
BMQTT_CODEC_SRCS += $(BMQTT_DIR)src/codec/bmqtt_status.c
BMQTT_CODEC_SRCS += $(BMQTT_DIR)src/codec/bmqtt_topic.c
BMQTT_CODEC_SRCS += $(BMQTT_DIR)src/codec/bmqtt_codec_header.c
BMQTT_CODEC_SRCS += $(BMQTT_DIR)src/codec/bmqtt_codec_encode.c
BMQTT_CODEC_SRCS += $(BMQTT_DIR)src/codec/bmqtt_codec_decode.c
BMQTT_CODEC_SRCS += $(BMQTT_DIR)src/codec/bmqtt_framer.c

# Client session (needs the codec).
BMQTT_CLIENT_SRCS += $(BMQTT_DIR)src/client/bmqtt_client.c
BMQTT_CLIENT_SRCS += $(BMQTT_DIR)src/client/bmqtt_client_incoming.c
BMQTT_CLIENT_SRCS += $(BMQTT_DIR)src/client/bmqtt_client_outbox.c
BMQTT_CLIENT_SRCS += $(BMQTT_DIR)src/client/bmqtt_client_query.c
BMQTT_CLIENT_SRCS += $(BMQTT_DIR)src/client/bmqtt_client_rules.c
BMQTT_CLIENT_SRCS += $(BMQTT_DIR)src/client/bmqtt_reconnect.c
# A session that survives a reset (include/bmqtt/persist.h): linked only when resumed.
BMQTT_CLIENT_SRCS += $(BMQTT_DIR)src/client/bmqtt_persist.c
BMQTT_CLIENT_SRCS += $(BMQTT_DIR)src/client/bmqtt_client_resume.c
BMQTT_CLIENT_SRCS += $(BMQTT_DIR)src/client/bmqtt_client_store.c
# ... and its store on raw NOR flash (include/bmqtt/nor_log.h), for parts without a file system.
BMQTT_CLIENT_SRCS += $(BMQTT_DIR)src/store/bmqtt_nor_log.c

# MQTT 5.0 codec (include/bmqtt/mqtt5.h, docs/MQTT5.md): needs the codec; a firmware
# that calls none of it links none of it (--gc-sections, or leave these files out).
BMQTT_CODEC5_SRCS += $(BMQTT_DIR)src/codec/bmqtt_codec5_props.c
BMQTT_CODEC5_SRCS += $(BMQTT_DIR)src/codec/bmqtt_codec5_encode.c
BMQTT_CODEC5_SRCS += $(BMQTT_DIR)src/codec/bmqtt_codec5_decode.c

BMQTT_SRCS := $(BMQTT_CODEC_SRCS) $(BMQTT_CODEC5_SRCS) $(BMQTT_CLIENT_SRCS)
BMQTT_INCS := $(BMQTT_DIR)include

# ESP-AT compatible MQTT AT command interpreter (include/bmqtt/at.h, docs/AT.md): optional,
# not part of BMQTT_SRCS; needs the codec and client; the network comes from the caller.
BMQTT_AT_SRCS += $(BMQTT_DIR)src/at/bmqtt_at_reader.c
BMQTT_AT_SRCS += $(BMQTT_DIR)src/at/bmqtt_at_commands.c
BMQTT_AT_SRCS += $(BMQTT_DIR)src/at/bmqtt_at_mqtt.c
BMQTT_AT_SRCS += $(BMQTT_DIR)src/at/bmqtt_at_urc.c
BMQTT_AT_SRCS += $(BMQTT_DIR)src/at/bmqtt_at_session.c

# Cloud credentials (include/bmqtt/aliyun.h, cloud.h): a separate layer that
# needs mbedTLS (md, base64); not part of BMQTT_SRCS. See docs/CLOUDS.md.
BMQTT_CLOUD_SRCS += $(BMQTT_DIR)cloud/bmqtt_cloud_util.c
BMQTT_CLOUD_SRCS += $(BMQTT_DIR)cloud/bmqtt_cloud_limits.c
BMQTT_CLOUD_SRCS += $(BMQTT_DIR)cloud/bmqtt_aliyun.c
BMQTT_CLOUD_SRCS += $(BMQTT_DIR)cloud/bmqtt_cloud_aws.c
BMQTT_CLOUD_SRCS += $(BMQTT_DIR)cloud/bmqtt_cloud_azure.c
BMQTT_CLOUD_SRCS += $(BMQTT_DIR)cloud/bmqtt_cloud_tencent.c
BMQTT_CLOUD_SRCS += $(BMQTT_DIR)cloud/bmqtt_cloud_huawei.c
BMQTT_CLOUD_SRCS += $(BMQTT_DIR)cloud/bmqtt_cloud_onenet.c
BMQTT_CLOUD_SRCS += $(BMQTT_DIR)cloud/bmqtt_cloud_baidu.c

# Ports: optional, each with its own include directory.
# POSIX sockets (Linux, macOS, BSD): IPv4/IPv6, non-blocking, SIGPIPE-safe.
BMQTT_POSIX_SRCS += $(BMQTT_DIR)port/posix/bmqtt_posix.c
BMQTT_POSIX_INCS := $(BMQTT_DIR)port/posix
# TLS over any bmqtt transport with mbedTLS 2.28 LTS or 3.x (docs/TLS.md); an MCU
# mbedTLS configuration is port/mbedtls/bmqtt_mbedtls_config.h.
BMQTT_TLS_SRCS += $(BMQTT_DIR)port/mbedtls/bmqtt_tls.c
BMQTT_TLS_SRCS += $(BMQTT_DIR)port/mbedtls/bmqtt_tls_session.c
BMQTT_TLS_INCS := $(BMQTT_DIR)port/mbedtls
# MQTT over WebSocket (RFC 6455) over any bmqtt transport (docs/WEBSOCKET.md). SHA-1 and
# base64 come through a hook: bmqtt_ws_mbedtls.c takes them from mbedTLS (libmbedcrypto);
# a firmware without mbedTLS leaves that file out and supplies its own.
BMQTT_WS_SRCS += $(BMQTT_DIR)port/websocket/bmqtt_ws.c
BMQTT_WS_SRCS += $(BMQTT_DIR)port/websocket/bmqtt_ws_handshake.c
BMQTT_WS_SRCS += $(BMQTT_DIR)port/websocket/bmqtt_ws_mbedtls.c
BMQTT_WS_INCS := $(BMQTT_DIR)port/websocket
# lwIP sockets API (lwIP 2.1.x, NO_SYS=0: FreeRTOS + lwIP on STM32, ESP-IDF); needs lwIP's
# include directories and your lwipopts.h / arch/cc.h on the include path (docs/PORTING.md).
BMQTT_LWIP_SRCS += $(BMQTT_DIR)port/lwip/bmqtt_lwip.c
BMQTT_LWIP_INCS := $(BMQTT_DIR)port/lwip
# lwIP raw TCP API (lwIP 2.1.x, NO_SYS=1: a superloop without an RTOS, STM32CubeMX's
# default); needs lwIP's include directories and your lwipopts.h / arch/cc.h (docs/PORTING.md).
BMQTT_LWIP_RAW_SRCS += $(BMQTT_DIR)port/lwip_raw/bmqtt_lwip_raw.c
BMQTT_LWIP_RAW_INCS := $(BMQTT_DIR)port/lwip_raw

# Makefiles that compile every source into one flat folder (STM32CubeMX's: objects named by
# notdir, found through `vpath %.c`) find bmqtt's files wherever these lines are included:
# CubeMX expands its own vpath line, and the prerequisites of $(BUILD_DIR)/$(TARGET).elf, where
# they stand, so lines appended at the end of its Makefile (where regeneration keeps them) would
# otherwise name objects that nothing builds. BMQTT_NO_VPATH=1 turns this off.
ifeq ($(BMQTT_NO_VPATH),)
vpath %.c $(sort $(dir $(foreach v,$(filter BMQTT_%SRCS,$(.VARIABLES)),$($(v)))))
ifneq ($(and $(BUILD_DIR),$(TARGET)),)
bmqtt_default_goal := $(.DEFAULT_GOAL)
.SECONDEXPANSION:
$(BUILD_DIR)/$(TARGET).elf: $$(OBJECTS)
.DEFAULT_GOAL := $(bmqtt_default_goal)
endif
endif
