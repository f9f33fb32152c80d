/*
 * UART glue for the ESP-AT interpreter on an STM32 (F4 register layout): the
 * USART2 receive interrupt puts bytes into a ring, the main loop feeds them to
 * bmqtt_at_input() and drives bmqtt_at_poll() from SysTick; answers go out
 * through a transmit ring emptied by the TXE interrupt. No HAL, no heap.
 *
 * The network is the application's: app_net_open() opens a transport for the
 * scheme asked (port/lwip for TCP; port/mbedtls over it for TLS; port/websocket
 * over either for schemes 6-10), see docs/AT.md. Clock and NVIC setup are the
 * board's (CubeMX or your own startup code).
 *
 * Built by `make at-cross` (arm-none-eabi-gcc -mcpu=cortex-m4 -Os) against
 * include/bmqtt/at.h; it declares the few registers it touches itself.
 */
#include <stdint.h>

#include "bmqtt/at.h"

/* --- The registers this file touches (RM0090, USART and SysTick) ------------ */
typedef struct {
    volatile uint32_t SR, DR, BRR, CR1, CR2, CR3, GTPR;
} usart_regs_t;
#define USART2_REGS ((usart_regs_t *)0x40004400u)
#define USART_SR_ORE (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_TXEIE (1u << 7)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_UE (1u << 13)

/* --- Rings: one writer and one reader each, so no lock is needed ------------ */
#define RX_RING 1024u /* a power of two; at 115200 baud it holds 89 ms of input */
#define TX_RING 2048u
static uint8_t rx_ring[RX_RING], tx_ring[TX_RING];
static volatile uint32_t rx_head, rx_tail, tx_head, tx_tail, rx_overruns;
static volatile uint32_t ticks_ms;

/* SysTick every millisecond (SysTick_Config(SystemCoreClock / 1000) in the board code). */
void SysTick_Handler(void);
void SysTick_Handler(void)
{
    ticks_ms++;
}

/* Receive: one byte per interrupt into the ring; an overrun is counted, never blocks. */
void USART2_IRQHandler(void);
void USART2_IRQHandler(void)
{
    uint32_t sr = USART2_REGS->SR;
    if ((sr & (USART_SR_RXNE | USART_SR_ORE)) != 0u) {
        uint8_t b = (uint8_t)USART2_REGS->DR; /* reading DR clears RXNE and ORE */
        if (rx_head - rx_tail < RX_RING) {
            rx_ring[rx_head % RX_RING] = b;
            rx_head++;
        } else {
            rx_overruns++;
        }
    }
    if ((sr & USART_SR_TXE) != 0u && (USART2_REGS->CR1 & USART_CR1_TXEIE) != 0u) {
        if (tx_tail != tx_head) {
            USART2_REGS->DR = tx_ring[tx_tail % TX_RING];
            tx_tail++;
        } else {
            USART2_REGS->CR1 &= ~USART_CR1_TXEIE; /* nothing left: stop the interrupt */
        }
    }
}

/* The interpreter's write hook: queue for the TXE interrupt; waits only when the ring is full. */
static void uart_write(void *user, const uint8_t *buf, size_t len)
{
    size_t i;
    (void)user;
    for (i = 0; i < len; i++) {
        while (tx_head - tx_tail >= TX_RING) {
            /* full: the interrupt is draining it (115200 baud: 87 us a byte) */
        }
        tx_ring[tx_head % TX_RING] = buf[i];
        tx_head++;
        USART2_REGS->CR1 |= USART_CR1_TXEIE;
    }
}

/* The application's network (see the file comment). */
bmqtt_status_t app_net_open(void *user, const bmqtt_at_open_t *req, const bmqtt_transport_t **tr, uint32_t now_ms);

static uint8_t tx_buf[2048], rx_buf[1024], outbox[2048], raw_buf[4096];
static bmqtt_inflight_t inflight[8];
static uint16_t qos2_ids[8];
static bmqtt_at_t at;
static const bmqtt_at_config_t at_cfg = { .write = uart_write, .open = app_net_open, .tx_buf = tx_buf,
    .tx_size = sizeof tx_buf, .rx_buf = rx_buf, .rx_size = sizeof rx_buf, .inflight = inflight,
    .inflight_count = 8, .qos2_ids = qos2_ids, .qos2_count = 8, .outbox = outbox, .outbox_size = sizeof outbox,
    .raw_buf = raw_buf, .raw_size = sizeof raw_buf };

/* Call once after the clocks, GPIO alternate functions, BRR and the NVIC line of USART2 are set up. */
int at_modem_start(void);
int at_modem_start(void)
{
    if (bmqtt_at_init(&at, &at_cfg) != BMQTT_OK) {
        return -1;
    }
    USART2_REGS->CR1 |= USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
    uart_write(NULL, (const uint8_t *)"\r\nready\r\n", 9u);
    return 0;
}

/* The main loop's step: feed what arrived (in contiguous pieces of the ring), then poll. */
void at_modem_step(void);
void at_modem_step(void)
{
    uint32_t head = rx_head; /* one read of the ISR's index */
    while (rx_tail != head) {
        uint32_t start = rx_tail % RX_RING;
        uint32_t n = head - rx_tail;
        if (n > RX_RING - start) {
            n = RX_RING - start;
        }
        (void)bmqtt_at_input(&at, rx_ring + start, n);
        rx_tail += n; /* frees the bytes for the ISR only after they were read */
    }
    (void)bmqtt_at_poll(&at, ticks_ms);
}
