/* A consumer of bmqtt: encodes a CONNECT and checks every byte [MQTT-3.1].
 * Prints the packet in hex; exit 0 only when the bytes are the expected ones. */
#include <stdio.h>
#include <string.h>

#include "bmqtt/codec.h"
#include "bmqtt/version.h"

int main(void)
{
    /* CONNECT, client id "consumer", clean session, keepalive 60 s:
     * fixed header 10 14; "MQTT" level 4; flags 02; keepalive 00 3C; id length 00 08. */
    static const uint8_t want[] = { 0x10, 0x14, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C,
                                    0x00, 0x08, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r' };
    uint8_t buf[64];
    size_t n = 0, i;
    bmqtt_connect_t c;
    bmqtt_status_t st;

    memset(&c, 0, sizeof c);
    c.client_id = bmqtt_view_str("consumer");
    c.clean_session = 1;
    c.keepalive_s = 60;
    st = bmqtt_connect_encode(&c, buf, sizeof buf, &n);
    if (st != BMQTT_OK) {
        printf("consumer: bmqtt_connect_encode: %s\n", bmqtt_status_str(st));
        return 1;
    }
    printf("consumer: bmqtt %s CONNECT", BMQTT_VERSION);
    for (i = 0; i < n; i++) printf(" %02X", buf[i]);
    printf("\n");
    if (n != sizeof want || memcmp(buf, want, n) != 0) {
        printf("consumer: FAIL: not the expected %u bytes\n", (unsigned)sizeof want);
        return 1;
    }
    return 0;
}
