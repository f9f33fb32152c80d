/*
 * The network of the mps2-an386 firmware images: lwIP (NO_SYS=1) on the board's
 * LAN9118 with a static address on QEMU's user network (10.0.2.15/24, gateway
 * 10.0.2.2). The host's brokers are at 10.0.2.100: QEMU's runner forwards each
 * broker port of that address to the same port on the host's loopback
 * (boards/mps2-an386/run.py); nothing else leaves the emulator.
 */
#ifndef EXAMPLE_MPS2_NET_H
#define EXAMPLE_MPS2_NET_H

#include "lwip/netif.h"

#define NET_HOST_BROKERS "10.0.2.100"

extern struct netif net_if;

/* lwip_init(), the LAN9118 interface up with its static address. 0 on success. */
int net_start(void);

/* Frames in, lwIP's timers. */
void net_step(void);

/* "localhost" and "127.0.0.1" (a PC program's loopback) are the host's brokers
 * here; anything else is returned unchanged. */
const char *net_host(const char *host);

#endif /* EXAMPLE_MPS2_NET_H */
