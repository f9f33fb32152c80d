/*
 * Test-only static pool for mbedTLS (see pool.c and docs/TLS.md).
 */
#ifndef BMQTT_TEST_POOL_H
#define BMQTT_TEST_POOL_H

#include <stddef.h>

typedef struct pool_stats {
    size_t cur_bytes;    /* bytes asked for and not yet freed */
    size_t cur_blocks;   /* live allocations */
    size_t peak_bytes;   /* highest cur_bytes since the last pool_mark() */
    size_t peak_blocks;  /* live allocations at that moment */
    size_t peak_mcu32;   /* highest estimate of an MBEDTLS_MEMORY_BUFFER_ALLOC_C pool on a 32-bit MCU */
    size_t calls;        /* calloc calls since the last pool_mark() */
    size_t failed;       /* calloc calls refused (limit reached or pool full) */
} pool_stats_t;

/* Restart the peak counters from the current use. */
void pool_mark(void);
/* Refuse allocations that would take the live total over @p bytes (0: no limit). */
void pool_set_limit(size_t bytes);
void pool_get(pool_stats_t *out);

#endif
