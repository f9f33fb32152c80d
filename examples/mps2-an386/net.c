/* The board's lwIP interface (see net.h). */
#include "net.h"

#include <string.h>

#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include "board.h"
#include "lan9118.h"

struct netif net_if;

/* lwIP's clock (NO_SYS=1). */
u32_t sys_now(void)
{
    return board_ms();
}

int net_start(void)
{
    ip4_addr_t ip, mask, gw;
    lwip_init();
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    if (netif_add(&net_if, &ip, &mask, &gw, NULL, lan9118_netif_init, ethernet_input) == NULL) {
        board_log("net: no LAN9118 answers\n");
        return -1;
    }
    netif_set_default(&net_if);
    netif_set_link_up(&net_if);
    netif_set_up(&net_if);
    return 0;
}

void net_step(void)
{
    ethernetif_input(&net_if);
    sys_check_timeouts();
}

const char *net_host(const char *host)
{
    if (strcmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0) {
        return NET_HOST_BROKERS;
    }
    return host;
}
