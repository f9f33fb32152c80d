/*
 * lwipopts.h of examples/stm32-baremetal: lwIP without an RTOS (NO_SYS=1), raw
 * API only, as STM32CubeMX sets it up for a project without FreeRTOS; small
 * pools for an STM32F4-class part.
 */
#ifndef EXAMPLE_BAREMETAL_LWIPOPTS_H
#define EXAMPLE_BAREMETAL_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0 /* lwIP is only called from the main loop, never from an interrupt */
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0

#define LWIP_IPV4 1
#ifndef LWIP_IPV6 /* -DLWIP_IPV6=1 for IPv6 as well */
#define LWIP_IPV6 0
#endif
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_UDP 1
#define LWIP_DHCP 1
#ifndef LWIP_DNS /* 0: numeric broker addresses only */
#define LWIP_DNS 1
#endif
#define LWIP_TCP 1

#define MEM_ALIGNMENT 4
#define MEM_SIZE (10 * 1024)
#define MEMP_NUM_TCP_PCB 4
#define MEMP_NUM_TCP_SEG 16
#define PBUF_POOL_SIZE 8
#define PBUF_POOL_BUFSIZE 1536

#define TCP_MSS 1460
#define TCP_WND (2 * TCP_MSS)  /* port/lwip_raw's ring (superloop.c) holds a whole window */
#define TCP_SND_BUF (2 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_TCP_KEEPALIVE 1

#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_STATS 0
#define LWIP_PROVIDE_ERRNO 0

#endif /* EXAMPLE_BAREMETAL_LWIPOPTS_H */
