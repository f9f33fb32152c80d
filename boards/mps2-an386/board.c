/*
 * mps2-an386: SysTick clock, CMSDK UARTs, semihosting, random numbers.
 *
 * UART0 receives through its RX interrupt into a ring (as a part's UART would,
 * so bytes keep arriving while the loop is busy with a TLS handshake); when the
 * ring is full the interrupt is masked and the byte stays in the UART, which
 * holds QEMU's input back: nothing is dropped. Transmission is polled.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "board.h"

/* ---- registers ----------------------------------------------------------------- */
#define REG(a) (*(volatile uint32_t *)(a))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define NVIC_ISER0 REG(0xE000E100u)
#define SCB_ICSR REG(0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26)
#define CPU_HZ 25000000u /* QEMU's mps2 SYSCLK */

typedef struct {
    volatile uint32_t data, state, ctrl, intstatus, bauddiv;
} cmsdk_uart_t;
#define UART0 ((cmsdk_uart_t *)0x40004000u)
#define UART1 ((cmsdk_uart_t *)0x40005000u)
#define UART_STATE_TXFULL 1u
#define UART_STATE_RXFULL 2u
#define UART_CTRL_TXEN 1u
#define UART_CTRL_RXEN 2u
#define UART_CTRL_RXINT 8u
#define UART_INT_RX 2u
#define IRQ_UART0RX 0u
#define IRQ_UART1RX 2u

/* ---- clock -------------------------------------------------------------------- */
static volatile uint32_t ticks;

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    ticks++;
}

uint32_t board_ms(void)
{
    return ticks;
}

/* ---- UARTs ---------------------------------------------------------------------- */
#define RX_RING 2048u /* a power of two */
static uint8_t rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail;
static volatile uint32_t input_total; /* bytes the runner sent to UART0 in all, once it said so */
static volatile int input_ended;
static uint32_t ctl_num;

void UART0RX_Handler(void);
void UART0RX_Handler(void)
{
    UART0->intstatus = UART_INT_RX; /* first: a byte arriving while we read raises it again */
    while ((UART0->state & UART_STATE_RXFULL) != 0u) {
        if (rx_head - rx_tail >= RX_RING) {
            UART0->ctrl &= ~UART_CTRL_RXINT; /* full: the byte waits in the UART */
            break;
        }
        rx_ring[rx_head % RX_RING] = (uint8_t)UART0->data;
        rx_head++;
    }
}

/* UART1 carries "E<count>\n" from the runner: UART0's input has ended after <count> bytes. */
void UART1RX_Handler(void);
void UART1RX_Handler(void)
{
    UART1->intstatus = UART_INT_RX;
    while ((UART1->state & UART_STATE_RXFULL) != 0u) {
        char c = (char)(UART1->data & 0xFFu);
        if (c == 'E') {
            ctl_num = 0;
        } else if (c >= '0' && c <= '9') {
            ctl_num = ctl_num * 10u + (uint32_t)(c - '0');
        } else if (c == '\n') {
            input_total = ctl_num;
            input_ended = 1;
        }
    }
}

int board_uart_getc(void)
{
    int c;
    if (rx_tail == rx_head) {
        if ((UART0->ctrl & UART_CTRL_RXINT) == 0u) {
            /* The ring was full and the interrupt off: a byte that came meanwhile raised
             * nothing. Take it here (with interrupts masked, so the handler cannot read it
             * too), then let the interrupt run again. */
            __asm__ volatile("cpsid i" ::: "memory");
            if ((UART0->state & UART_STATE_RXFULL) != 0u) {
                rx_ring[rx_head % RX_RING] = (uint8_t)UART0->data;
                rx_head++;
            }
            UART0->ctrl |= UART_CTRL_RXINT;
            __asm__ volatile("cpsie i" ::: "memory");
        }
        if (rx_tail == rx_head) {
            return -1;
        }
    }
    c = rx_ring[rx_tail % RX_RING];
    rx_tail++;
    return c;
}

int board_input_ended(void)
{
    return input_ended && rx_tail == input_total;
}

void board_uart_write(const uint8_t *buf, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        while ((UART0->state & UART_STATE_TXFULL) != 0u) {
        }
        UART0->data = buf[i];
    }
}

/* Virtual nanoseconds: SysTick's count within the millisecond, 40 ns a tick at 25 MHz.
 * A wrap whose interrupt has not run yet (masked, or about to be taken) is counted
 * from SysTick's pending bit, read on both sides of the count. */
uint64_t board_ns(void)
{
    uint32_t t, c, p1, p2;
    do {
        t = ticks;
        p1 = SCB_ICSR & ICSR_PENDSTSET;
        c = SYST_CVR;
        p2 = SCB_ICSR & ICSR_PENDSTSET;
    } while (t != ticks || p1 != p2);
    if (p2 != 0u) {
        t++;
    }
    return (uint64_t)t * 1000000u + (uint64_t)(SYST_RVR - c) * 40u;
}

static uint64_t idle_ns;

uint64_t board_busy_ns(void)
{
    return board_ns() - idle_ns;
}

void board_idle(void)
{
    uint64_t t0;
    __asm__ volatile("cpsid i" ::: "memory");
    if (rx_tail == rx_head) {
        t0 = board_ns();
        __asm__ volatile("wfi" ::: "memory"); /* a pending interrupt wakes it even while masked */
        idle_ns += board_ns() - t0;
    }
    __asm__ volatile("cpsie i" ::: "memory");
}

/* ---- semihosting (ARM's debug interface; QEMU with -semihosting-config) ---------- */
static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE 0x05
#define SYS_READ 0x06
#define SYS_FLEN 0x0C
#define SYS_TIME 0x11
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20

static int sh_open(const char *path, int mode)
{
    const uint32_t a[3] = { (uint32_t)(uintptr_t)path, (uint32_t)mode, (uint32_t)strlen(path) };
    return semihost(SYS_OPEN, a);
}

static int sh_read(int fd, void *buf, size_t len) /* bytes read, -1 on error */
{
    const uint32_t a[3] = { (uint32_t)fd, (uint32_t)(uintptr_t)buf, (uint32_t)len };
    int left = semihost(SYS_READ, a);
    return left < 0 || (size_t)left > len ? -1 : (int)(len - (size_t)left);
}

static void sh_close(int fd)
{
    const uint32_t a[1] = { (uint32_t)fd };
    (void)semihost(SYS_CLOSE, a);
}

static int err_fd = -2;

void board_log(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n >= sizeof line) {
        n = (int)sizeof line - 1;
    }
    if (err_fd == -2) {
        err_fd = sh_open(":tt", 8); /* mode 8: the host's stderr */
    }
    if (err_fd >= 0) {
        const uint32_t a[3] = { (uint32_t)err_fd, (uint32_t)(uintptr_t)line, (uint32_t)n };
        (void)semihost(SYS_WRITE, a);
    }
}

void board_assert_failed(const char *msg, const char *file, int line)
{
    board_log("mps2-an386: assertion \"%s\" failed at %s:%d\n", msg, file, line);
    board_exit(124);
}

void board_exit(int code)
{
    const uint32_t a[2] = { 0x20026u, (uint32_t)code }; /* ADP_Stopped_ApplicationExit */
    for (;;) {
        (void)semihost(SYS_EXIT_EXTENDED, a);
    }
}

static char cmdline[512];

const char *board_cmdline(void)
{
    return cmdline;
}

int board_read_file(const char *path, uint8_t *buf, size_t size, size_t *len)
{
    int fd = sh_open(path, 1); /* "rb" */
    int n;
    if (fd < 0 || size == 0u) {
        return -1;
    }
    n = sh_read(fd, buf, size - 1u);
    if (n >= 0 && (size_t)n < size - 1u) {
        buf[n] = 0;
        *len = (size_t)n + 1u;
    } else {
        n = -1; /* an error, or it does not fit */
    }
    sh_close(fd);
    return n < 0 ? -1 : 0;
}

/* ---- random numbers --------------------------------------------------------------- */
static int urandom_fd = -1;
static uint32_t rng_state;
static int64_t boot_time;

int board_trng(void *ctx, unsigned char *out, size_t len, size_t *olen)
{
    (void)ctx;
    *olen = 0;
    if (urandom_fd < 0 || sh_read(urandom_fd, out, len) != (int)len) {
        return -1;
    }
    *olen = len;
    return 0;
}

uint32_t board_random(void)
{
    /* xorshift32: TCP ports, initial sequence numbers, reconnect jitter (not keys). */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

int64_t board_unix_time(void *ctx)
{
    (void)ctx;
    return boot_time + (int64_t)(board_ms() / 1000u);
}

/* ---- start-up --------------------------------------------------------------------- */
void board_init(void)
{
    uint32_t a[2] = { (uint32_t)(uintptr_t)cmdline, sizeof cmdline };
    size_t n;
    /* SysTick: 1 ms on the processor clock. */
    SYST_RVR = CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* processor clock, interrupt, enable */
    UART0->bauddiv = CPU_HZ / 115200u;
    UART0->ctrl = UART_CTRL_TXEN | UART_CTRL_RXEN | UART_CTRL_RXINT;
    UART1->bauddiv = CPU_HZ / 115200u;
    UART1->ctrl = UART_CTRL_TXEN | UART_CTRL_RXEN | UART_CTRL_RXINT;
    NVIC_ISER0 = (1u << IRQ_UART0RX) | (1u << IRQ_UART1RX);
    if (semihost(SYS_GET_CMDLINE, a) != 0) {
        cmdline[0] = '\0';
    }
    cmdline[sizeof cmdline - 1u] = '\0';
    boot_time = semihost(SYS_TIME, NULL);
    urandom_fd = sh_open("/dev/urandom", 1);
    if (board_trng(NULL, (unsigned char *)&rng_state, sizeof rng_state, &n) != 0 || rng_state == 0u) {
        rng_state = 0x2545F491u ^ (uint32_t)boot_time;
        board_log("mps2-an386: no entropy from the host\n");
    }
}

/* No heap on this board: newlib's printf links malloc for cases the firmware never
 * formats, and mbedTLS's default calloc is replaced by its buffer allocator. Any
 * request that still came would fail here rather than grow into the stack. */
void *_sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr)
{
    (void)incr;
    return (void *)-1;
}
