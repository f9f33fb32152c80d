/*
 * STAND-IN for lwIP's FreeRTOS port header (lwIP contrib/ports/freertos/include/arch/sys_arch.h,
 * which STM32CubeMX copies into Middlewares/Third_Party/LwIP/system/arch/sys_arch.h).
 *
 * The real header includes FreeRTOS.h; CI has no FreeRTOS, so this file declares the
 * same four lwIP OS types as opaque handles and nothing else. It exists only so that
 * the example compiles for Cortex-M4 without an RTOS source tree: in a firmware, use
 * the port that comes with lwIP (or CubeMX) together with its sys_arch.c, and delete
 * this file. mqtt_task.c itself calls lwIP's sys_* functions only.
 */
#ifndef EXAMPLE_ARCH_SYS_ARCH_H
#define EXAMPLE_ARCH_SYS_ARCH_H

/* Handles of FreeRTOS objects (SemaphoreHandle_t, QueueHandle_t, TaskHandle_t). */
typedef struct example_sys_sem { void *handle; } sys_sem_t;
typedef struct example_sys_mutex { void *handle; } sys_mutex_t;
typedef struct example_sys_mbox { void *handle; } sys_mbox_t;
typedef struct example_sys_thread { void *handle; } sys_thread_t;

#define sys_sem_valid(s) ((s) != NULL && (s)->handle != NULL)
#define sys_sem_set_invalid(s) do { if ((s) != NULL) { (s)->handle = NULL; } } while (0)
#define sys_mutex_valid(m) ((m) != NULL && (m)->handle != NULL)
#define sys_mutex_set_invalid(m) do { if ((m) != NULL) { (m)->handle = NULL; } } while (0)
#define sys_mbox_valid(m) ((m) != NULL && (m)->handle != NULL)
#define sys_mbox_set_invalid(m) do { if ((m) != NULL) { (m)->handle = NULL; } } while (0)

#endif /* EXAMPLE_ARCH_SYS_ARCH_H */
