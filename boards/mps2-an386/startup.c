/*
 * Reset and vector table of the mps2-an386 board: .data copied from "flash",
 * .bss zeroed, the stack painted, the FPU enabled, then main(). Faults print
 * where they happened through semihosting and end the emulation.
 */
#include <stdint.h>

#include "board.h"

extern uint32_t __data_start__, __data_end__, __data_load__, __bss_start__, __bss_end__;
extern uint32_t __stack_bottom, __stack_top;
extern int main(void);
extern void __libc_init_array(void);

#define STACK_PAINT 0x5A5AA5A5u

void Reset_Handler(void);
void Fault_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);
void UART0RX_Handler(void);
void UART1RX_Handler(void);
void ETH_Handler(void);

/* No C++: the constructor hooks newlib's __libc_init_array calls are empty. */
void _init(void);
void _fini(void);
void _init(void) { }
void _fini(void) { }

void Reset_Handler(void)
{
    uint32_t *p;
    const uint32_t *s;
    uint32_t sp;
    for (p = &__data_start__, s = &__data_load__; p < &__data_end__; p++, s++) *p = *s;
    for (p = &__bss_start__; p < &__bss_end__; p++) *p = 0;
    /* Paint the stack below this function's frame (a margin of 64 bytes). */
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (p = &__stack_bottom; (uint32_t)(uintptr_t)p < sp - 64u; p++) *p = STACK_PAINT;
#if defined(__ARM_FP)
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CP10/CP11: the FPU */
    __asm__ volatile("dsb\n isb" ::: "memory");
#endif
    __libc_init_array();
    board_exit(main());
}

size_t board_stack_size(void)
{
    return (size_t)((uintptr_t)&__stack_top - (uintptr_t)&__stack_bottom);
}

size_t board_stack_used(void)
{
    const uint32_t *p = &__stack_bottom;
    while (p < &__stack_top && *p == STACK_PAINT) p++;
    return (size_t)((uintptr_t)&__stack_top - (uintptr_t)p);
}

void Fault_Handler(void)
{
    uint32_t *frame;
    __asm__ volatile("tst lr, #4\n ite eq\n mrseq %0, msp\n mrsne %0, psp" : "=r"(frame));
    board_log("mps2-an386: fault at pc %08lx lr %08lx (CFSR %08lx, BFAR %08lx)\n", (unsigned long)frame[6],
              (unsigned long)frame[5], (unsigned long)*(volatile uint32_t *)0xE000ED28u,
              (unsigned long)*(volatile uint32_t *)0xE000ED38u);
    board_exit(125);
}

void Default_Handler(void)
{
    board_log("mps2-an386: unexpected interrupt\n");
    board_exit(126);
}

/* 16 system exceptions, then the board's interrupts: UART0 RX is 0, UART1 RX 2,
 * the Ethernet controller 13 (QEMU's hw/arm/mps2.c). */
__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 32])(void) = {
    (void (*)(void))(uintptr_t)&__stack_top,
    Reset_Handler,
    Default_Handler, /* NMI */
    Fault_Handler,   /* HardFault */
    Fault_Handler,   /* MemManage */
    Fault_Handler,   /* BusFault */
    Fault_Handler,   /* UsageFault */
    0, 0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
    [16 + 0] = UART0RX_Handler,
    [16 + 1] = Default_Handler,
    [16 + 2] = UART1RX_Handler,
    [16 + 3] = Default_Handler,
    [16 + 4 ... 16 + 12] = Default_Handler,
    [16 + 13] = ETH_Handler,
    [16 + 14 ... 16 + 31] = Default_Handler,
};
