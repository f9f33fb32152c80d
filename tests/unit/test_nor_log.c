/* The NOR flash log (nor_log.h) on an emulated flash that cuts power at the
 * Nth program or erase and tears that operation (part of its bytes written,
 * one byte half programmed; an erase leaves a random part of the block
 * erased). A scripted workload runs once for every N: after power returns,
 * the log must read as the state before or after the interrupted put, and
 * take the rest of the workload. The emulator also fails a program over a
 * byte that is not erased (NOR programs 1 to 0 only, once). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/nor_log.h"
#include "nor_emu.h"

#define BS EMU_BLOCK
#define NB EMU_BLOCKS
#define KEYS 6
#define MAXV 40

static bmqtt_nor_t flash;
static bmqtt_nor_log_t nlog;
static bmqtt_store_t store;

/* The workload: put i writes key wk[i] with wl[i] bytes of wv[i] (length 0 deletes). */
#define OPS 120
static uint16_t wk[OPS];
static uint8_t wl[OPS], wv[OPS][MAXV];

static void make_workload(uint32_t seed)
{
    emu.rnd = seed;
    for (int i = 0; i < OPS; i++) {
        wk[i] = (uint16_t)(1 + emu_rand() % KEYS);
        wl[i] = (uint8_t)(emu_rand() % 7 == 0 ? 0 : 1 + emu_rand() % MAXV);
        for (int k = 0; k < wl[i]; k++) wv[i][k] = (uint8_t)emu_rand();
    }
}

/* The state after the first @p n puts: key -> index of its last put, or -1. */
static void model(int n, int *last)
{
    for (int k = 0; k <= KEYS; k++) last[k] = -1;
    for (int i = 0; i < n; i++) last[wk[i]] = wl[i] ? i : -1;
}

/* What the keys held before the workload (the random test runs several over one log). */
static uint8_t base_len[KEYS + 1], base_val[KEYS + 1][MAXV];

static int log_equals(int n)
{
    int last[KEYS + 1];
    uint8_t buf[MAXV + 8];
    model(n, last);
    for (uint16_t k = 1; k <= KEYS; k++) {
        size_t len = 99;
        int touched = 0;
        for (int i = 0; i < n; i++) touched |= wk[i] == k;
        if (bmqtt_nor_log_get(&nlog, k, buf, sizeof buf, &len) != BMQTT_OK) return 0;
        if (!touched) {
            if (len != base_len[k] || memcmp(buf, base_val[k], len) != 0) return 0;
        } else if (last[k] < 0) {
            if (len != 0) return 0;
        } else if (len != wl[last[k]] || memcmp(buf, wv[last[k]], len) != 0) {
            return 0;
        }
    }
    return 1;
}

#define power_back emu_power_back

/* Run the workload from put @p from with power cut at op @p cut; returns the put it
 * stopped in (OPS when it ran to the end). */
static int run(int from, long cut)
{
    emu.cut_at = cut ? emu.ops + cut : 0;
    for (int i = from; i < OPS; i++) {
        if (bmqtt_nor_log_put(&nlog, wk[i], wv[i], wl[i] / 2u, wv[i] + wl[i] / 2u, wl[i] - wl[i] / 2u) != BMQTT_OK) {
            assert_true(emu.dead);
            return i;
        }
    }
    return OPS;
}

static void cut_every_op(uint8_t prog_size, uint32_t seed)
{
    long cut;
    int total_ops = 0;
    emu_blank(&flash, prog_size, seed);
    make_workload(seed);
    for (cut = 1;; cut++) {
        int stopped, mounted;
        emu_blank(&flash, prog_size, seed ^ (uint32_t)cut * 2654435761u);
        memset(base_len, 0, sizeof base_len);
        assert_int_equal(bmqtt_nor_log_mount(&nlog, &flash, &store), BMQTT_OK);
        stopped = run(0, cut);
        if (stopped == OPS) {
            total_ops = (int)emu.ops;
            break;
        }
        power_back();
        mounted = bmqtt_nor_log_mount(&nlog, &flash, &store) == BMQTT_OK;
        assert_true(mounted);
        if (!log_equals(stopped) && !log_equals(stopped + 1)) {
            fail_msg("prog %u seed %lu: cut at op %ld (put %d): the log is neither before nor after it", prog_size,
                     (unsigned long)seed, cut, stopped);
        }
        /* A log that recovered takes the rest; a second cut in the recovery is covered by the random test. */
        assert_int_equal(run(stopped, 0), OPS);
        assert_true(log_equals(OPS));
        assert_int_equal(bmqtt_nor_log_mount(&nlog, &flash, &store), BMQTT_OK);
        assert_true(log_equals(OPS));
        assert_int_equal(emu.reprogrammed, 0);
    }
    assert_true(total_ops > OPS); /* every put was one op at least, and blocks were erased */
    assert_true(cut > OPS);
    print_message("prog unit %u: power cut at each of %ld program/erase operations of %d puts: OK\n", prog_size,
                  cut - 1, OPS);
}

static void test_power_cut_every_op_prog1(void **state)
{
    (void)state;
    cut_every_op(1, 1);
    cut_every_op(1, 2);
}

static void test_power_cut_every_op_prog4(void **state)
{
    (void)state;
    cut_every_op(4, 3);
}

static void test_power_cut_every_op_prog8(void **state)
{
    (void)state;
    cut_every_op(8, 4);
}

/* A long run with cuts at random points, also inside recovery: the state is always one of the
 * two, and wear is spread over the blocks. */
static void test_random_cuts_and_wear(void **state)
{
    int done = 0, cuts = 0;
    (void)state;
    emu_blank(&flash, 1, 99);
    assert_int_equal(bmqtt_nor_log_mount(&nlog, &flash, &store), BMQTT_OK);
    for (int round = 0; round < 60; round++) {
        for (uint16_t k = 1; k <= KEYS; k++) { /* the state the round starts from */
            size_t len;
            assert_int_equal(bmqtt_nor_log_get(&nlog, k, base_val[k], MAXV, &len), BMQTT_OK);
            base_len[k] = (uint8_t)len;
        }
        make_workload(1000u + (uint32_t)round);
        emu.rnd = 7u * (uint32_t)round + 1u;
        {
            long cut = 1 + (long)(emu_rand() % 400);
            int stopped = run(0, cut);
            if (stopped < OPS) {
                cuts++;
                for (;;) { /* power back, and maybe a cut inside the mount's recovery */
                    emu.dead = 0;
                    emu.cut_at = (emu_rand() & 3) == 0 ? emu.ops + 1 + (long)(emu_rand() % 4) : 0;
                    if (bmqtt_nor_log_mount(&nlog, &flash, &store) == BMQTT_OK) break;
                }
                power_back();
                if (!log_equals(stopped) && !log_equals(stopped + 1)) fail_msg("round %d: cut at put %d", round, stopped);
                assert_int_equal(run(stopped, 0), OPS);
            }
            assert_true(log_equals(OPS));
            done++;
        }
    }
    assert_int_equal(emu.reprogrammed, 0);
    {
        unsigned lo = emu.erases[0], hi = emu.erases[0];
        for (unsigned b = 1; b < NB; b++) {
            if (emu.erases[b] < lo) lo = emu.erases[b];
            if (emu.erases[b] > hi) hi = emu.erases[b];
        }
        print_message("%d rounds, %d power cuts; erases per block %u..%u\n", done, cuts, lo, hi);
        assert_true(lo > 10 && hi - lo <= 4); /* in turn around the ring (a cut erase is redone) */
    }
}

static void test_refused(void **state)
{
    bmqtt_nor_t bad;
    uint8_t big[BS];
    (void)state;
    emu_blank(&flash, 1, 5);
    bad = flash;
    bad.block_count = 2;
    assert_int_equal(bmqtt_nor_log_mount(&nlog, &bad, &store), BMQTT_ERR_PARAM);
    bad = flash;
    bad.prog_size = 3;
    assert_int_equal(bmqtt_nor_log_mount(&nlog, &bad, &store), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_nor_log_mount(NULL, &flash, &store), BMQTT_ERR_PARAM);
    /* Garbage on the chip is an empty log. */
    for (size_t i = 0; i < sizeof emu.mem; i++) emu.mem[i] = (uint8_t)(i * 7u + 3u);
    assert_int_equal(bmqtt_nor_log_mount(&nlog, &flash, &store), BMQTT_OK);
    make_workload(5);
    memset(base_len, 0, sizeof base_len);
    assert_true(log_equals(0));
    assert_int_equal(bmqtt_nor_log_put(&nlog, 0, "x", 1, NULL, 0), BMQTT_ERR_PARAM);
    assert_int_equal(bmqtt_nor_log_put(&nlog, 0xFFFF, "x", 1, NULL, 0), BMQTT_ERR_PARAM);
    memset(big, 1, sizeof big);
    assert_int_equal(bmqtt_nor_log_put(&nlog, 1, big, sizeof big, NULL, 0), BMQTT_ERR_BUFFER_TOO_SMALL);
    /* Live values over a block: refused, never lost. */
    for (uint16_t k = 1; k <= 8; k++) {
        bmqtt_status_t st = bmqtt_nor_log_put(&nlog, k, NULL, 0, big, 60);
        if (st != BMQTT_OK) {
            assert_int_equal(st, BMQTT_ERR_STORE);
            break;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_cut_every_op_prog1),
        cmocka_unit_test(test_power_cut_every_op_prog4),
        cmocka_unit_test(test_power_cut_every_op_prog8),
        cmocka_unit_test(test_random_cuts_and_wear),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
