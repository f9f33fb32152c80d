/* Station commands of an ESP-AT modem whose network is already up (at_station.h). */
#include "at_station.h"

#include <stdio.h>
#include <string.h>

static void say(bmqtt_at_t *a, const char *s)
{
    bmqtt_at_write(a, s, strlen(s));
}

int at_station_command(at_station_t *s, bmqtt_at_t *a, const char *cmd)
{
    char line[160];
    if (strncmp(cmd, "+CWMODE=", 8) == 0 || strcmp(cmd, "+CWQAP") == 0 || strncmp(cmd, "+CWAUTOCONN=", 12) == 0 ||
        strncmp(cmd, "+CIPMUX=", 8) == 0 || strncmp(cmd, "+CWDHCP=", 8) == 0 || strncmp(cmd, "+UART_CUR=", 10) == 0 ||
        strncmp(cmd, "+SYSSTORE=", 10) == 0 || strncmp(cmd, "+CWHOSTNAME=", 12) == 0) {
        bmqtt_at_ok(a);
        return 1;
    }
    if (strcmp(cmd, "+CWMODE?") == 0) {
        say(a, "+CWMODE:1\r\n");
    } else if (strncmp(cmd, "+CWJAP=", 7) == 0) {
        const char *q = strchr(cmd, '"');
        const char *e = q != NULL ? strchr(q + 1, '"') : NULL;
        if (q == NULL || e == NULL || (size_t)(e - q - 1) >= sizeof s->ssid) {
            bmqtt_at_error(a);
            return 1;
        }
        memcpy(s->ssid, q + 1, (size_t)(e - q - 1));
        s->ssid[e - q - 1] = '\0';
        say(a, "WIFI CONNECTED\r\nWIFI GOT IP\r\n");
    } else if (strcmp(cmd, "+CWJAP?") == 0) {
        snprintf(line, sizeof line, "+CWJAP:\"%s\",\"02:00:00:00:00:01\",1,-40,0,1,3,0,1\r\n", s->ssid);
        say(a, line);
    } else if (strcmp(cmd, "+CWSTATE?") == 0) {
        snprintf(line, sizeof line, "+CWSTATE:2,\"%s\"\r\n", s->ssid);
        say(a, line);
    } else if (strcmp(cmd, "+CIPSTA?") == 0) {
        snprintf(line, sizeof line, "+CIPSTA:ip:\"%s\"\r\n+CIPSTA:gateway:\"%s\"\r\n+CIPSTA:netmask:\"%s\"\r\n", s->ip,
                 s->gateway, s->netmask);
        say(a, line);
    } else if (strcmp(cmd, "+CIFSR") == 0) {
        snprintf(line, sizeof line, "+CIFSR:STAIP,\"%s\"\r\n+CIFSR:STAMAC,\"%s\"\r\n", s->ip, s->mac);
        say(a, line);
    } else {
        return 0;
    }
    bmqtt_at_ok(a);
    return 1;
}
