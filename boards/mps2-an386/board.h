/*
 * The mps2-an386 board (QEMU's model of Arm's MPS2 with a Cortex-M4 FPGA image):
 * start-up, a 1 ms SysTick clock, the CMSDK UARTs, the SMSC LAN9118 Ethernet
 * controller (lan9118.h) and the few semihosting calls an emulated board needs.
 *
 * Polled drivers with interrupts only to wake the core from WFI and to move UART
 * bytes into a ring: the firmware is one superloop, no RTOS, no heap.
 */
#ifndef BOARD_MPS2_AN386_H
#define BOARD_MPS2_AN386_H

#include <stddef.h>
#include <stdint.h>

/* Clock (SysTick on the 25 MHz processor clock), UART0 at 115200 baud (any rate
 * on QEMU), interrupts on, the entropy seed read. Call first. */
void board_init(void);

/* Milliseconds since board_init() (wraps after 49 days). */
uint32_t board_ms(void);

/* UART0, the firmware's serial port (QEMU's first -serial). Writes wait while
 * the transmitter is full; reads return -1 when nothing has arrived. */
void board_uart_write(const uint8_t *buf, size_t len);
int board_uart_getc(void);
/* 1 once UART0's input has ended and every byte of it has been read: the runner
 * says so, with the count of bytes it sent, on UART1 (as a PC program sees the end
 * of its stdin). Emulation only. */
int board_input_ended(void);

/* Sleep until the next interrupt (SysTick, a UART byte, a frame), unless one is
 * already waiting: call when a pass of the loop found nothing to do. */
void board_idle(void);

/* Time since boot in nanoseconds of QEMU's virtual clock, and the part of it the core
 * was not asleep in board_idle(). Under QEMU's -icount shift=0 one instruction takes
 * exactly 1 ns, so board_busy_ns() counts the instructions the core has run. */
uint64_t board_ns(void);
uint64_t board_busy_ns(void);

/* Printf to the host's console (semihosting; nothing on a real part). */
void board_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void board_assert_failed(const char *msg, const char *file, int line) __attribute__((noreturn));

/* Random numbers: a generator seeded from the host at boot (see board_trng). */
uint32_t board_random(void);

/* Emulation only: entropy from the host's /dev/urandom through semihosting.
 * QEMU's mps2-an386 has no random source; on a part, read its TRNG here.
 * Same shape as mbedTLS's entropy source callback; 0 on success. */
int board_trng(void *ctx, unsigned char *out, size_t len, size_t *olen);

/* Wall-clock seconds (the host's time at boot through semihosting, then SysTick). */
int64_t board_unix_time(void *ctx);

/* The firmware's command line (QEMU -semihosting-config arg=...), "" if none. */
const char *board_cmdline(void);
/* Read a host file into buf (NUL appended, counted in *len as mbedTLS's PEM
 * parser wants). 0 on success, -1 if it cannot be read or does not fit. */
int board_read_file(const char *path, uint8_t *buf, size_t size, size_t *len);

/* End the emulation with an exit code (semihosting SYS_EXIT_EXTENDED). */
void board_exit(int code) __attribute__((noreturn));

/* The stack, painted at reset: its size and the most ever used (bytes). */
size_t board_stack_size(void);
size_t board_stack_used(void);

#endif /* BOARD_MPS2_AN386_H */
