/*
 * A Cortex-M4 image with the STM32 glue (examples/at/stm32_uart_glue.c), the AT
 * interpreter, the client and the codec, linked with --gc-sections: what a
 * firmware keeps of them (make at-cross prints its size). The network is a
 * stub here; a firmware links port/lwip and port/mbedtls instead.
 */
#include "bmqtt/at.h"

int at_modem_start(void);
void at_modem_step(void);
int main(void);
bmqtt_status_t app_net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms);

bmqtt_status_t app_net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms)
{
    (void)user;
    (void)req;
    (void)tr;
    (void)now_ms;
    return BMQTT_ERR_CONNECT;
}

int main(void)
{
    if (at_modem_start() != 0) {
        return 1;
    }
    for (;;) {
        at_modem_step();
    }
}
