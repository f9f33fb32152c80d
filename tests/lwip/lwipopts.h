/*
 * lwipopts.h of the lwIP integration test (tests/lwip).
 *
 * The test links Debian's prebuilt liblwip (lwIP 2.1.3, unix port). A program
 * must see exactly the options a library was built with, or structures it
 * shares with the library (struct netif, struct pbuf, ip_addr_t...) have
 * another layout. So the options are Debian's own file, included first by
 * path (the Makefile passes it as BMQTT_LWIP_SYSTEM_OPTS, from pkg-config),
 * and this file only adds checks of what the test and port/lwip rely on.
 * Nothing here may change an option.
 */
#ifndef BMQTT_TEST_LWIPOPTS_H
#define BMQTT_TEST_LWIPOPTS_H

#ifndef BMQTT_LWIP_SYSTEM_OPTS
#error "build with -DBMQTT_LWIP_SYSTEM_OPTS='\"<includedir of pkg-config lwip>/lwipopts.h\"' (make test-lwip does)"
#endif
#include BMQTT_LWIP_SYSTEM_OPTS

#if !defined(NO_SYS) || NO_SYS != 0
#error "the test needs lwIP built with NO_SYS=0 (tcpip thread and sockets)"
#endif
#if defined(LWIP_SOCKET) && !LWIP_SOCKET
#error "the test needs LWIP_SOCKET=1"
#endif

#endif /* BMQTT_TEST_LWIPOPTS_H */
