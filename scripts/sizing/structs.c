/* The sizes of bmqtt's structs as the target compiler lays them out, read back from .rodata
 * by scripts/sizing/sizing.sh (compiled, never run). */
#include <stdint.h>

#include "bmqtt/at.h"
#include "bmqtt/client.h"
#include "bmqtt_tls.h"

const uint32_t bmqtt_sizing[] = {
    0x53495a45u, /* "SIZE": where the table starts */
    (uint32_t)sizeof(bmqtt_client_t),
    (uint32_t)sizeof(bmqtt_inflight_t),
    (uint32_t)sizeof(bmqtt_request_t),
    (uint32_t)sizeof(bmqtt_at_t),
    (uint32_t)sizeof(bmqtt_tls_t),
};
