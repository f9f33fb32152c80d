/*
 * SMSC LAN9118 driver for lwIP, polled, 32-bit bus (the mps2 boards' wiring).
 *
 * The controller keeps frames in FIFOs: a received frame is a status word (its
 * length, CRC included, and an error bit) in the RX status FIFO and its bytes in
 * the RX data FIFO, read a word at a time; a frame to send is two command words
 * (buffer length, first and last segment; frame length) and its bytes written to
 * the TX data FIFO. Other registers are reached indirectly through MAC_CSR_CMD.
 * The interrupt line (RX status FIFO level) only wakes the core from WFI.
 */
#include <string.h>

#include "lan9118.h"

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/snmp.h"

#define ETH_BASE 0x40200000u
#define REG(off) (*(volatile uint32_t *)(ETH_BASE + (off)))
#define RX_DATA_FIFO REG(0x00)
#define TX_DATA_FIFO REG(0x20)
#define RX_STATUS_FIFO REG(0x40)
#define TX_STATUS_FIFO REG(0x48)
#define BYTE_TEST REG(0x64)
#define IRQ_CFG REG(0x54)
#define INT_STS REG(0x58)
#define INT_EN REG(0x5C)
#define FIFO_INT REG(0x68)
#define RX_CFG REG(0x6C)
#define TX_CFG REG(0x70)
#define HW_CFG REG(0x74)
#define RX_FIFO_INF REG(0x7C)
#define TX_FIFO_INF REG(0x80)
#define PMT_CTRL REG(0x84)
#define MAC_CSR_CMD REG(0xA4)
#define MAC_CSR_DATA REG(0xA8)

#define BYTE_TEST_VALUE 0x87654321u
#define HW_CFG_SRST 1u
#define PMT_CTRL_READY 1u
#define IRQ_CFG_EN_HIGH_PUSHPULL 0x111u /* IRQ_EN | IRQ_POL | IRQ_TYPE */
#define INT_RSFL (1u << 3)              /* RX status FIFO above its level */
#define TX_CFG_ON 2u
#define TX_CFG_SAO 4u                   /* TX status may overrun: we do not need it */
#define CSR_BUSY (1u << 31)
#define CSR_READ (1u << 30)
#define MAC_CR 1u
#define MAC_ADDRH 2u
#define MAC_ADDRL 3u
#define MAC_CR_TXEN (1u << 3)
#define MAC_CR_RXEN (1u << 2)
#define MAC_CR_FDPX (1u << 20)
#define TXA_FIRST (1u << 13)
#define TXA_LAST (1u << 12)
#define RXS_ERROR (1u << 15)
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define IRQ_ETH 13u

#define FRAME_MAX 1518u /* without the CRC */

static uint32_t frame[(FRAME_MAX + 4u + 3u) / 4u]; /* one frame, word-aligned for the FIFOs */
static lan9118_stats_t stats;
static uint16_t tx_tag;

void ETH_Handler(void);
void ETH_Handler(void)
{
    INT_STS = INT_RSFL; /* acknowledged; the loop drains the FIFO after WFI returns */
}

const lan9118_stats_t *lan9118_stats(void)
{
    return &stats;
}

static int mac_wait(void)
{
    uint32_t n;
    for (n = 0; n < 100000u; n++) {
        if ((MAC_CSR_CMD & CSR_BUSY) == 0u) {
            return 0;
        }
    }
    return -1;
}

static uint32_t mac_read(uint32_t reg)
{
    MAC_CSR_CMD = CSR_BUSY | CSR_READ | reg;
    (void)mac_wait();
    return MAC_CSR_DATA;
}

static void mac_write(uint32_t reg, uint32_t val)
{
    MAC_CSR_DATA = val;
    MAC_CSR_CMD = CSR_BUSY | reg;
    (void)mac_wait();
}

static err_t lan9118_output(struct netif *netif, struct pbuf *p)
{
    uint32_t words, i, free_bytes;
    uint16_t len = p->tot_len;
    (void)netif;
    if (len > FRAME_MAX) {
        stats.tx_dropped++;
        return ERR_BUF;
    }
    while ((TX_FIFO_INF >> 16) & 0xFFu) {
        (void)TX_STATUS_FIFO; /* statuses we do not read (TX_CFG_SAO): keep the FIFO empty */
    }
    free_bytes = TX_FIFO_INF & 0xFFFFu;
    if (free_bytes < (uint32_t)len + 8u) {
        stats.tx_dropped++;
        return ERR_MEM; /* lwIP's TCP retransmits */
    }
    (void)pbuf_copy_partial(p, frame, len, 0);
    words = ((uint32_t)len + 3u) / 4u;
    tx_tag++;
    TX_DATA_FIFO = TXA_FIRST | TXA_LAST | len;
    TX_DATA_FIFO = ((uint32_t)tx_tag << 16) | len;
    for (i = 0; i < words; i++) {
        TX_DATA_FIFO = frame[i];
    }
    stats.tx_frames++;
    MIB2_STATS_NETIF_ADD(netif, ifoutoctets, len);
    return ERR_OK;
}

void ethernetif_input(struct netif *netif)
{
    while (((RX_FIFO_INF >> 16) & 0xFFu) != 0u) {
        uint32_t status = RX_STATUS_FIFO;
        uint32_t len = (status >> 16) & 0x3FFFu; /* CRC included */
        uint32_t words = (len + 3u) / 4u, i;
        struct pbuf *p = NULL;
        if (words > sizeof frame / 4u) {
            for (i = 0; i < words; i++) {
                (void)RX_DATA_FIFO; /* too long for us: read and forget */
            }
            stats.rx_dropped++;
            continue;
        }
        for (i = 0; i < words; i++) {
            frame[i] = RX_DATA_FIFO;
        }
        if ((status & RXS_ERROR) == 0u && len > 4u) {
            p = pbuf_alloc(PBUF_RAW, (u16_t)(len - 4u), PBUF_POOL);
        }
        if (p == NULL) {
            stats.rx_dropped++;
            continue;
        }
        (void)pbuf_take(p, frame, (u16_t)(len - 4u));
        stats.rx_frames++;
        if (netif->input(p, netif) != ERR_OK) {
            pbuf_free(p);
        }
    }
}

err_t lan9118_netif_init(struct netif *netif)
{
    uint32_t lo, hi, n;
    if (BYTE_TEST != BYTE_TEST_VALUE) {
        return ERR_IF;
    }
    HW_CFG = HW_CFG_SRST;
    for (n = 0; (HW_CFG & HW_CFG_SRST) != 0u || (PMT_CTRL & PMT_CTRL_READY) == 0u; n++) {
        if (n > 1000000u) {
            return ERR_IF;
        }
    }
    lo = mac_read(MAC_ADDRL); /* from the controller's EEPROM (QEMU's -nic mac=) */
    hi = mac_read(MAC_ADDRH);
    netif->hwaddr_len = 6;
    netif->hwaddr[0] = (u8_t)lo;
    netif->hwaddr[1] = (u8_t)(lo >> 8);
    netif->hwaddr[2] = (u8_t)(lo >> 16);
    netif->hwaddr[3] = (u8_t)(lo >> 24);
    netif->hwaddr[4] = (u8_t)hi;
    netif->hwaddr[5] = (u8_t)(hi >> 8);
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    netif->output = etharp_output;
    netif->linkoutput = lan9118_output;
    RX_CFG = 0;   /* no offset, no end padding */
    FIFO_INT = 0; /* RX status level 0: an interrupt for every frame */
    TX_CFG = TX_CFG_ON | TX_CFG_SAO;
    mac_write(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FDPX); /* own address and broadcast */
    INT_STS = 0xFFFFFFFFu;
    INT_EN = INT_RSFL;
    IRQ_CFG = IRQ_CFG_EN_HIGH_PUSHPULL;
    NVIC_ISER0 = 1u << IRQ_ETH;
    return ERR_OK;
}
