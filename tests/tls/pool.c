/*
 * Test-only allocator: mbedTLS's calloc/free served from a static array.
 *
 * Debian's libmbedtls is built without MBEDTLS_PLATFORM_MEMORY and without
 * MBEDTLS_MEMORY_BUFFER_ALLOC_C, so it calls calloc() and free() directly.
 * The TLS test links the static mbedTLS archives with
 *     -Wl,--wrap=calloc -Wl,--wrap=free
 * so that every calloc/free reference in the objects linked statically (the
 * three mbedTLS archives, port/mbedtls, the test) binds to __wrap_calloc /
 * __wrap_free below: mbedTLS never reaches the system heap. The C library's
 * own internal allocations (stdio, getaddrinfo in the POSIX port) are not
 * redirected; they are not mbedTLS's.
 *
 * A first-fit list of blocks in address order, each [header][payload][red
 * zone]. Under valgrind, blocks are announced with MALLOCLIKE/FREELIKE
 * client requests and headers and red zones are off limits, so memcheck
 * finds overruns, use after free and leaks inside the pool as it would on
 * the heap.
 */
#include "pool.h"

#include <stdint.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define POOL_VG 1
#endif
#endif
#ifndef POOL_VG
#define VALGRIND_MALLOCLIKE_BLOCK(a, s, r, z) ((void)0)
#define VALGRIND_FREELIKE_BLOCK(a, r) ((void)0)
#define VALGRIND_MAKE_MEM_NOACCESS(a, s) ((void)0)
#define VALGRIND_MAKE_MEM_DEFINED(a, s) ((void)0)
#endif

#define POOL_SIZE (1024u * 1024u)
#define ALIGN 16u
#define RZ 16u

typedef struct block {
    size_t size; /* payload bytes available (multiple of ALIGN) */
    size_t used; /* bytes asked for; 0 when free */
} block_t;

#define HDR ((sizeof(block_t) + ALIGN - 1u) / ALIGN * ALIGN)

static _Alignas(16) unsigned char pool[POOL_SIZE];
static int ready;
static size_t limit;
static pool_stats_t st;

/* Bytes an mbedTLS buffer allocator on a 32-bit MCU would take for a block of
 * n bytes: n rounded up to 4 plus its 32-byte header (8 words). */
static size_t mcu32_cost(size_t n)
{
    return (n + 3u) / 4u * 4u + 32u;
}
static size_t cur_mcu32;

static block_t *hdr_open(unsigned char *p)
{
    VALGRIND_MAKE_MEM_DEFINED(p, HDR);
    return (block_t *)(void *)p;
}

static void hdr_close(unsigned char *p)
{
    VALGRIND_MAKE_MEM_NOACCESS(p, HDR);
}

static void pool_start(void)
{
    block_t *b = (block_t *)(void *)pool;
    b->size = POOL_SIZE - HDR - RZ;
    b->used = 0;
    VALGRIND_MAKE_MEM_NOACCESS(pool, POOL_SIZE);
    ready = 1;
}

void *__wrap_calloc(size_t n, size_t m);
void __wrap_free(void *p);

void *__wrap_calloc(size_t n, size_t m)
{
    size_t want, need, off = 0;
    if (!ready) {
        pool_start();
    }
    if (n != 0 && m > SIZE_MAX / n) {
        return NULL;
    }
    want = n * m;
    if (want == 0) {
        want = 1;
    }
    st.calls++;
    if (limit != 0 && st.cur_bytes + want > limit) {
        st.failed++;
        return NULL;
    }
    need = (want + ALIGN - 1u) / ALIGN * ALIGN;
    while (off < POOL_SIZE) {
        unsigned char *p = pool + off;
        block_t *b = hdr_open(p);
        if (b->used == 0) {
            /* merge following free blocks */
            for (;;) {
                size_t next = off + HDR + b->size + RZ;
                block_t *nb;
                if (next >= POOL_SIZE) {
                    break;
                }
                nb = hdr_open(pool + next);
                if (nb->used != 0) {
                    hdr_close(pool + next);
                    break;
                }
                b->size += HDR + nb->size + RZ;
                hdr_close(pool + next);
            }
            if (b->size >= need) {
                if (b->size >= need + HDR + RZ + ALIGN) { /* split */
                    unsigned char *q = p + HDR + need + RZ;
                    block_t *nb = hdr_open(q);
                    nb->size = b->size - need - HDR - RZ;
                    nb->used = 0;
                    hdr_close(q);
                    b->size = need;
                }
                b->used = want;
                hdr_close(p);
                VALGRIND_MALLOCLIKE_BLOCK(p + HDR, want, RZ, 1);
                memset(p + HDR, 0, want);
                st.cur_bytes += want;
                st.cur_blocks++;
                cur_mcu32 += mcu32_cost(want);
                if (st.cur_bytes > st.peak_bytes) {
                    st.peak_bytes = st.cur_bytes;
                    st.peak_blocks = st.cur_blocks;
                }
                if (cur_mcu32 > st.peak_mcu32) {
                    st.peak_mcu32 = cur_mcu32;
                }
                return p + HDR;
            }
        }
        off += HDR + b->size + RZ;
        hdr_close(p);
    }
    st.failed++;
    return NULL;
}

void __wrap_free(void *ptr)
{
    unsigned char *p = (unsigned char *)ptr;
    block_t *b;
    if (p == NULL) {
        return;
    }
    if (p < pool + HDR || p >= pool + POOL_SIZE) {
        __builtin_trap(); /* not ours: something called the wrapped free() on a heap pointer */
    }
    b = hdr_open(p - HDR);
    if (b->used == 0) {
        __builtin_trap(); /* double free */
    }
    st.cur_bytes -= b->used;
    st.cur_blocks--;
    cur_mcu32 -= mcu32_cost(b->used);
    b->used = 0;
    hdr_close(p - HDR);
    VALGRIND_FREELIKE_BLOCK(p, RZ);
}

void pool_mark(void)
{
    st.peak_bytes = st.cur_bytes;
    st.peak_blocks = st.cur_blocks;
    st.peak_mcu32 = cur_mcu32;
    st.calls = 0;
    st.failed = 0;
}

void pool_set_limit(size_t bytes)
{
    limit = bytes;
}

void pool_get(pool_stats_t *out)
{
    *out = st;
}
