/**
 * @file bmqtt.h
 * @brief The Arduino library's one header: bmqtt's client session, its codec, and the
 *        transport over any Arduino Client (bmqtt_arduino.h). `#include <bmqtt.h>` in a sketch.
 */
#ifndef BMQTT_H
#define BMQTT_H

#include "bmqtt/client.h"
#include "bmqtt/codec.h"
#include "bmqtt/version.h"
#include "bmqtt_arduino.h"

#endif /* BMQTT_H */
