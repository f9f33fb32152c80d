/*
 * arch/cc.h for lwIP on a Cortex-M (STM32F4/F7/H7...) with arm-none-eabi-gcc and
 * newlib, NO_SYS=1. CubeMX generates its own Middlewares/Third_Party/LwIP/system/arch/cc.h;
 * this one does the same job for the example's cross build.
 */
#ifndef EXAMPLE_BAREMETAL_ARCH_CC_H
#define EXAMPLE_BAREMETAL_ARCH_CC_H

#include <stdint.h>

#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

#define LWIP_TIMEVAL_PRIVATE 0
#include <sys/time.h>
#define LWIP_ERRNO_STDINCLUDE 1

/* No RTOS, no interrupt-level lwIP calls: the protection type is a placeholder. */
typedef uint32_t sys_prot_t;

#define PACK_STRUCT_BEGIN
#define PACK_STRUCT_STRUCT __attribute__((packed))
#define PACK_STRUCT_END
#define PACK_STRUCT_FIELD(x) x

/* Diagnostics and assertions go to the board (UART, SWO or semihosting). */
void board_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void board_assert_failed(const char *msg, const char *file, int line) __attribute__((noreturn));
#define LWIP_PLATFORM_DIAG(x) do { board_log x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) board_assert_failed((x), __FILE__, __LINE__)

/* TCP ports, sequence numbers and DNS ids: the STM32 RNG peripheral. */
uint32_t board_random(void);
#define LWIP_RAND() board_random()

#endif /* EXAMPLE_BAREMETAL_ARCH_CC_H */
