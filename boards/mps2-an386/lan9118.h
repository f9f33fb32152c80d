/*
 * lwIP (NO_SYS=1) network interface for the SMSC LAN9118 Ethernet controller of
 * the mps2-an386 board (QEMU's lan9118 model, at 0x40200000, interrupt 13).
 *
 *   netif_add(&netif, &ip, &mask, &gw, NULL, lan9118_netif_init, ethernet_input);
 *   for (;;) { ethernetif_input(&netif); sys_check_timeouts(); ... }
 */
#ifndef BOARD_LAN9118_H
#define BOARD_LAN9118_H

#include "lwip/err.h"
#include "lwip/netif.h"

/* netif_add()'s init: resets the controller, takes its MAC address, enables
 * transmit and receive (broadcast and our own address), returns ERR_IF when the
 * controller does not answer. */
err_t lan9118_netif_init(struct netif *netif);

/* Every received frame into lwIP (netif->input); returns when none is left. */
void ethernetif_input(struct netif *netif);

/* Statistics. */
typedef struct {
    uint32_t rx_frames, rx_dropped, tx_frames, tx_dropped;
} lan9118_stats_t;
const lan9118_stats_t *lan9118_stats(void);

#endif /* BOARD_LAN9118_H */
