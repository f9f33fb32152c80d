/*
 * arch/cc.h for lwIP on a Cortex-M4 (STM32F4/F7/L4...) built with arm-none-eabi-gcc and newlib.
 *
 * STM32CubeMX generates its own Middlewares/Third_Party/LwIP/system/arch/cc.h; this one
 * has the same job for the example and for CI's cross compile. The board functions it
 * names are the application's (see mqtt_task.c).
 */
#ifndef EXAMPLE_ARCH_CC_H
#define EXAMPLE_ARCH_CC_H

#include <stdint.h>

/* Cortex-M runs little-endian; lwIP's arch.h would assume it too. */
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* newlib has struct timeval in <sys/time.h>: use it rather than lwIP's private copy. */
#define LWIP_TIMEVAL_PRIVATE 0
#include <sys/time.h>

/* errno from newlib's <errno.h> (per task with configUSE_NEWLIB_REENTRANT in FreeRTOS). */
#define LWIP_ERRNO_STDINCLUDE 1

/* SYS_LIGHTWEIGHT_PROT saves the interrupt mask (PRIMASK) in this type. */
typedef uint32_t sys_prot_t;

/* Packed structures, GCC style. */
#define PACK_STRUCT_BEGIN
#define PACK_STRUCT_STRUCT __attribute__((packed))
#define PACK_STRUCT_END
#define PACK_STRUCT_FIELD(x) x

/* Diagnostics and assertions go to the board (a UART, SWO or semihosting). */
void board_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void board_assert_failed(const char *msg, const char *file, int line) __attribute__((noreturn));
#define LWIP_PLATFORM_DIAG(x) do { board_log x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) board_assert_failed((x), __FILE__, __LINE__)

/* Random numbers (TCP ports and sequence numbers, DNS ids): the STM32 RNG peripheral. */
uint32_t board_random(void);
#define LWIP_RAND() board_random()

#endif /* EXAMPLE_ARCH_CC_H */
