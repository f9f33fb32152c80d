/* The emulated NOR flash of nor_emu.h. */
#include <string.h>

#include "nor_emu.h"

nor_emu_t emu;

uint32_t emu_rand(void)
{
    emu.rnd = emu.rnd * 1103515245u + 12345u;
    return emu.rnd >> 8;
}

static int e_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (addr + len > sizeof emu.mem) return -1;
    memcpy(buf, emu.mem + addr, len);
    return 0;
}

static int e_prog(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    const uint8_t *b = buf;
    size_t n = len;
    (void)ctx;
    if (emu.dead || addr + len > sizeof emu.mem) return -1;
    if (++emu.ops == emu.cut_at) {
        n = emu_rand() % len; /* torn: n bytes written, the next one half */
        emu.dead = 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (emu.mem[addr + i] != 0xFF) emu.reprogrammed++;
        emu.mem[addr + i] &= b[i];
    }
    if (emu.dead) {
        if (n < len) emu.mem[addr + n] &= (uint8_t)(b[n] | emu_rand());
        return -1;
    }
    return 0;
}

static int e_erase(void *ctx, uint32_t addr)
{
    (void)ctx;
    if (emu.dead || addr % EMU_BLOCK || addr >= sizeof emu.mem) return -1;
    emu.erases[addr / EMU_BLOCK]++;
    if (++emu.ops == emu.cut_at) {
        for (uint32_t i = 0; i < EMU_BLOCK; i++) {
            if (emu_rand() & 1) emu.mem[addr + i] = 0xFF;
        }
        emu.dead = 1;
        return -1;
    }
    memset(emu.mem + addr, 0xFF, EMU_BLOCK);
    return 0;
}

void emu_blank(bmqtt_nor_t *flash, uint8_t prog_size, uint32_t seed)
{
    memset(&emu, 0, sizeof emu);
    memset(emu.mem, 0xFF, sizeof emu.mem);
    emu.rnd = seed;
    memset(flash, 0, sizeof *flash);
    flash->block_size = EMU_BLOCK;
    flash->block_count = EMU_BLOCKS;
    flash->prog_size = prog_size;
    flash->read = e_read;
    flash->prog = e_prog;
    flash->erase = e_erase;
}

void emu_power_back(void)
{
    emu.dead = 0;
    emu.cut_at = 0;
}

void emu_cut_in(long n)
{
    emu.cut_at = n ? emu.ops + n : 0;
}
