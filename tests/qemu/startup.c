/*
 * Reset and fault handling for the on-target test images (QEMU mps2-an385 /
 * mps2-an386, tests/qemu/mps2.ld). Output and the exit status go through ARM
 * semihosting (newlib's librdimon): QEMU runs with
 * -semihosting-config enable=on,target=native and exits with the program's
 * status, so the exit code is the verdict.
 */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __bss_start__, __bss_end__, __stack_top;
extern int main(void);
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);

void Reset_Handler(void);
void Fault_Handler(void);
void Default_Handler(void);

/* Semihosting call: operation in r0, argument block in r1, result in r0. */
static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void semihost_puts(const char *s)
{
    semihost(0x04, s); /* SYS_WRITE0 */
}

/* Ends the emulation with an exit code: SYS_EXIT_EXTENDED (on AArch32, plain SYS_EXIT only
 * tells success from failure) with ADP_Stopped_ApplicationExit and the code. */
static void semihost_exit(int code)
{
    const uint32_t args[2] = { 0x20026u, (uint32_t)code };
    semihost(0x20, args);
    for (;;) { }
}

/* No C++ here: the constructor hooks newlib's __libc_init_array calls are empty. */
void _init(void);
void _fini(void);
void _init(void) { }
void _fini(void) { }

void Reset_Handler(void)
{
    for (uint32_t *p = &__bss_start__; p < &__bss_end__; p++) *p = 0;
#if defined(__ARM_FP)
    /* Full access to CP10/CP11 (the FPU) before any floating-point code runs. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
#endif
    initialise_monitor_handles();
    __libc_init_array();
    exit(main());
}

void Fault_Handler(void)
{
    semihost_puts("qemu-test: HardFault (bad address or instruction)\n");
    semihost_exit(125);
}

void Default_Handler(void)
{
    semihost_puts("qemu-test: unexpected interrupt\n");
    semihost_exit(126);
}

void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
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
};
