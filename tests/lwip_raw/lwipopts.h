/*
 * lwipopts.h of the lwIP raw-API test (tests/lwip_raw): lwIP's core built from
 * Debian's lwIP source package with these options, NO_SYS=1 (no threads, no
 * sockets), the unix port's tapif as the netif. Sized like a small MCU: a
 * 4-segment receive window, so the test's small receive rings meet lwIP's
 * flow control and its refused-data path.
 */
#ifndef BMQTT_TEST_LWIP_RAW_LWIPOPTS_H
#define BMQTT_TEST_LWIP_RAW_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_NETIF_API 0

#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 1
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 0 /* the static address is usable at once */
#define LWIP_IPV6_AUTOCONFIG 0
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 0
#define ARP_QUEUEING 1

/* Memory: lwIP's own heap and pools (the port takes nothing from them but a pcb and pbufs). */
#define MEM_ALIGNMENT 8
#define MEM_SIZE (48 * 1024)
#define MEMP_NUM_PBUF 32
#define MEMP_NUM_TCP_PCB 6
#define MEMP_NUM_TCP_SEG 64
#define PBUF_POOL_SIZE 48
#define PBUF_POOL_BUFSIZE 1536

#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (8 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define LWIP_TCP_KEEPALIVE 1

#define LWIP_STATS 0
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1

#ifdef BMQTT_TEST_LWIP_DEBUG
#define LWIP_DEBUG 1
#define TCP_DEBUG LWIP_DBG_ON
#define TCP_INPUT_DEBUG LWIP_DBG_ON
#endif

#endif /* BMQTT_TEST_LWIP_RAW_LWIPOPTS_H */
