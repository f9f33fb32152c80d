/**
 * @file nor_log.h
 * @brief A bmqtt_store_t (persist.h) on raw NOR flash, for parts with no file
 *        system: a log of small records, safe against power loss.
 *
 * The flash erases a block to 0xFF and programs bits from 1 to 0; the log
 * never programs a byte twice between erases. Each put appends one record
 * (8 bytes of header, the value, a 4-byte CRC-32, padded to the program unit);
 * the newest record of a key is its value; a value of length 0 deletes it.
 * Blocks are filled in turn around the ring, so wear is spread evenly: when a
 * block is opened, the oldest block's live records are copied into it, a
 * record says so, and the oldest block is erased for reuse.
 *
 * Power loss during any program or erase leaves a log that reads as the state
 * before or after the interrupted put: a torn record fails its CRC and is
 * skipped; a torn copy is redone at the next mount; a block whose erase was
 * torn is ignored (the record naming it came first).
 *
 * Needs at least 3 blocks, and all live values (with 12 bytes of overhead
 * each) must fit in one block less 16 bytes. Its state is 20 bytes of RAM; no
 * index is kept: a get reads the log (done at resume only).
 *
 * @code
 * #include "bmqtt/nor_log.h"
 *
 * int spi_read(void *ctx, uint32_t addr, void *buf, size_t len);
 * int spi_prog(void *ctx, uint32_t addr, const void *buf, size_t len);
 * int spi_erase(void *ctx, uint32_t addr);
 *
 * static const bmqtt_nor_t flash = { .block_size = 4096, .block_count = 4, .prog_size = 1,
 *                                    .read = spi_read, .prog = spi_prog, .erase = spi_erase };
 * static bmqtt_nor_log_t nlog;
 * static bmqtt_store_t store;
 *
 * int start_store(void);
 * int start_store(void)
 * {
 *     return bmqtt_nor_log_mount(&nlog, &flash, &store) == BMQTT_OK ? 0 : -1; // then bmqtt_client_resume_store()
 * }
 * @endcode
 */
#ifndef BMQTT_NOR_LOG_H
#define BMQTT_NOR_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/persist.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The flash: the application's driver. Addresses are offsets from the log's first block. */
typedef struct bmqtt_nor {
    uint32_t block_size;  /**< Erase block, a multiple of prog_size, at least 64 bytes. */
    uint16_t block_count; /**< Blocks of the log, at least 3. */
    uint8_t prog_size;    /**< Program unit: 1, 2, 4 or 8 bytes (offsets and lengths are multiples). */
    /** Read @p len bytes at @p addr; 0 on success. */
    int (*read)(void *ctx, uint32_t addr, void *buf, size_t len);
    /** Program @p len bytes at @p addr (bits 1 to 0 only); 0 once done. */
    int (*prog)(void *ctx, uint32_t addr, const void *buf, size_t len);
    /** Erase the block at @p addr (every byte to 0xFF); 0 once done. */
    int (*erase)(void *ctx, uint32_t addr);
    void *ctx; /**< Passed to read, prog and erase. */
} bmqtt_nor_t;

/** The log's state. Caller-owned; every field is private. */
typedef struct bmqtt_nor_log {
    /** @cond BMQTT_PRIVATE */
    const bmqtt_nor_t *nor;
    uint32_t seq;    /* the head block's sequence number; 0: no block yet */
    uint32_t freed;  /* blocks with a sequence number up to this one are free */
    uint32_t pos;    /* where the next record goes in the head block */
    uint16_t head;
    /** @endcond */
} bmqtt_nor_log_t;

/**
 * @brief Read the log on @p nor (a blank or foreign flash is an empty log),
 *        finish a copy a power loss interrupted, and fill @p store with its
 *        put and get.
 * @return BMQTT_OK; BMQTT_ERR_PARAM (a geometry it cannot use); BMQTT_ERR_STORE
 *         (the driver failed).
 */
bmqtt_status_t bmqtt_nor_log_mount(bmqtt_nor_log_t *log, const bmqtt_nor_t *nor, bmqtt_store_t *store);

/** @brief bmqtt_store_t::put on the log (ctx: the bmqtt_nor_log_t). BMQTT_ERR_STORE when full or failed. */
bmqtt_status_t bmqtt_nor_log_put(void *log, uint16_t key, const void *head, size_t head_len, const void *body,
                                 size_t body_len);

/** @brief bmqtt_store_t::get on the log. */
bmqtt_status_t bmqtt_nor_log_get(void *log, uint16_t key, void *buf, size_t size, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* BMQTT_NOR_LOG_H */
