/* Declarations of the FreeRTOS types the docs' code blocks use, with FreeRTOS's
 * own names and types (FreeRTOS.h, portmacro.h for a 32-bit port), so that
 * `make test-docs` compiles them as a firmware build would. Not an RTOS. */
#ifndef FREERTOS_H_DOCS
#define FREERTOS_H_DOCS
#include <stdint.h>
typedef long BaseType_t;
typedef uint32_t TickType_t;
#define pdTRUE ((BaseType_t)1)
#define pdFALSE ((BaseType_t)0)
#define pdPASS pdTRUE
#endif
