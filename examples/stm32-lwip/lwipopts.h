/*
 * lwipopts.h of the STM32 example: lwIP 2.1 on FreeRTOS, Ethernet (STM32F4/F7 ETH MAC),
 * sockets API for bmqtt's port/lwip, DHCP and DNS. Sized for a part with 128+ KB of RAM.
 * Options not set here keep lwIP's defaults (lwip/opt.h). LWIP_IPV6, LWIP_DNS and
 * LWIP_SOCKET_POLL may be overridden with -D (make lwip-cross builds the port both ways).
 */
#ifndef EXAMPLE_LWIPOPTS_H
#define EXAMPLE_LWIPOPTS_H

/* An RTOS: lwIP runs in its tcpip thread, applications use sockets from their tasks. */
#define NO_SYS                      0
#define SYS_LIGHTWEIGHT_PROT        1
#define LWIP_TCPIP_CORE_LOCKING     1

/* Memory: lwIP's own heap and pools (no C library malloc). */
#define MEM_ALIGNMENT               4
#define MEM_SIZE                    (16 * 1024)
#define MEMP_NUM_PBUF               16
#define MEMP_NUM_TCP_PCB            6
#define MEMP_NUM_TCP_SEG            32
#define MEMP_NUM_NETBUF             8
#define MEMP_NUM_NETCONN            8
#define PBUF_POOL_SIZE              12
#define PBUF_POOL_BUFSIZE           1524

/* Protocols. */
#define LWIP_IPV4                   1
#ifndef LWIP_IPV6
#define LWIP_IPV6 0
#endif
#define LWIP_ARP                    1
#define LWIP_ETHERNET               1
#define LWIP_ICMP                   1
#define LWIP_UDP                    1
#define LWIP_TCP                    1
#define LWIP_DHCP                   1
#ifndef LWIP_DNS
#define LWIP_DNS 1   /* bmqtt_lwip_connect() resolves names with lwip_getaddrinfo() */
#endif
#define LWIP_NETIF_LINK_CALLBACK    1
#define LWIP_NETIF_STATUS_CALLBACK  1

/* TCP. */
#define TCP_MSS                     1460
#define TCP_SND_BUF                 (4 * TCP_MSS)
#define TCP_SND_QUEUELEN            ((4 * TCP_SND_BUF) / TCP_MSS)
#define TCP_WND                     (4 * TCP_MSS)
#define LWIP_TCP_KEEPALIVE          1

/* APIs: netconn and sockets; lwIP's select() and poll() (bmqtt_lwip_wait() uses poll). */
#define LWIP_NETCONN                1
#define LWIP_SOCKET                 1
#ifndef LWIP_SOCKET_POLL
#define LWIP_SOCKET_POLL 1
#endif
#define LWIP_SO_RCVTIMEO            1
#define LWIP_SO_SNDTIMEO            1

/* Threads and mailboxes (sizes are FreeRTOS queue lengths and stack words/bytes per port). */
#define TCPIP_THREAD_NAME           "tcpip"
#define TCPIP_THREAD_STACKSIZE      1024
#define TCPIP_THREAD_PRIO           3
#define TCPIP_MBOX_SIZE             16
#define DEFAULT_THREAD_STACKSIZE    1024
#define DEFAULT_THREAD_PRIO         2
#define DEFAULT_TCP_RECVMBOX_SIZE   8
#define DEFAULT_UDP_RECVMBOX_SIZE   8
#define DEFAULT_RAW_RECVMBOX_SIZE   4
#define DEFAULT_ACCEPTMBOX_SIZE     4

/* The STM32 ETH MAC computes and checks IP/TCP/UDP/ICMP checksums in hardware. */
#define CHECKSUM_GEN_IP             0
#define CHECKSUM_GEN_UDP            0
#define CHECKSUM_GEN_TCP            0
#define CHECKSUM_GEN_ICMP           0
#define CHECKSUM_CHECK_IP           0
#define CHECKSUM_CHECK_UDP          0
#define CHECKSUM_CHECK_TCP          0
#define CHECKSUM_CHECK_ICMP         0

#define LWIP_STATS                  0

#endif /* EXAMPLE_LWIPOPTS_H */
