/* The Wi-Fi and TCP/IP commands an ESP-AT host sends before MQTT (AT+CWJAP, AT+CIPSTA?...),
 * answered as a station that is already connected: bmqtt-at on a PC and the modem firmware on
 * the emulated board share them; each gives its own addresses. */
#ifndef AT_STATION_H
#define AT_STATION_H

#include <stddef.h>

#include "bmqtt/at.h"

typedef struct at_station {
    const char *ip, *gateway, *netmask, *mac; /* what AT+CIPSTA? and AT+CIFSR say */
    char ssid[64];                            /* the last AT+CWJAP's */
} at_station_t;

/* 1 when @p cmd (after "AT") was one of the station's commands, answered on @p a; else 0. */
int at_station_command(at_station_t *s, bmqtt_at_t *a, const char *cmd);

#endif
