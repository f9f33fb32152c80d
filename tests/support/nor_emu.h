/* An emulated NOR flash for tests: erase to 0xFF, program 1 to 0 only, and a
 * power cut at the Nth program or erase that tears it (part of its bytes
 * written, the next one half; an erase leaves a random part of the block
 * erased); after the cut every operation fails until power comes back.
 * A program over a byte not erased is counted (the log must never do it). */
#ifndef NOR_EMU_H
#define NOR_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/nor_log.h"

#define EMU_BLOCK 256u
#define EMU_BLOCKS 4u

typedef struct nor_emu {
    uint8_t mem[EMU_BLOCK * EMU_BLOCKS];
    long ops, cut_at; /* cut at op number cut_at (0: never) */
    int dead, reprogrammed;
    uint32_t rnd;
    unsigned erases[EMU_BLOCKS];
} nor_emu_t;

extern nor_emu_t emu;

uint32_t emu_rand(void);
/* A blank chip (all 0xFF), power on, no cut; the flash description for @p prog_size. */
void emu_blank(bmqtt_nor_t *flash, uint8_t prog_size, uint32_t seed);
/* Power back on; no cut planned. */
void emu_power_back(void);
/* Cut the power at the @p n-th operation from now (0: never). */
void emu_cut_in(long n);

#endif
