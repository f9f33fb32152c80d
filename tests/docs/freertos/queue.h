/* FreeRTOS's queue API as queue.h declares it (xQueueSend is a macro there). */
#ifndef QUEUE_H_DOCS
#define QUEUE_H_DOCS
#include "FreeRTOS.h"
typedef struct QueueDefinition *QueueHandle_t;
BaseType_t xQueueGenericSend(QueueHandle_t xQueue, const void *pvItemToQueue, TickType_t xTicksToWait,
                             BaseType_t xCopyPosition);
#define queueSEND_TO_BACK ((BaseType_t)0)
#define xQueueSend(xQueue, pvItemToQueue, xTicksToWait) \
    xQueueGenericSend((xQueue), (pvItemToQueue), (xTicksToWait), queueSEND_TO_BACK)
BaseType_t xQueueReceive(QueueHandle_t xQueue, void *pvBuffer, TickType_t xTicksToWait);
BaseType_t xQueuePeek(QueueHandle_t xQueue, void *pvBuffer, TickType_t xTicksToWait);
QueueHandle_t xQueueGenericCreate(unsigned long uxQueueLength, unsigned long uxItemSize, uint8_t ucQueueType);
#endif
