/*
 * Packet corpora from other projects, kept as data:
 *  - tests/vectors/valid/: valid packets captured by mqtt_fuzz; each must
 *    decode and re-encode to exactly its bytes (encode(decode(b)) == b);
 *  - tests/vectors/mosquitto-client/: Mosquitto's broker-to-client packets,
 *    mostly malformed; each must decode to the status that expect.txt gives,
 *    reasoned from its bytes, and the valid ones re-encode exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bmqtt/codec.h"
#include "vectors.h"

#define VALID_DIR "tests/vectors/valid"
#define MOSQ_DIR "tests/vectors/mosquitto-client"
#define ANY_ERROR 1 /* expect.txt "ERROR": any malformed status */

typedef struct {
    char file[200];
    int status;
    int used; /* matched a file */
} expect_t;

/* Read `path STATUS # comment` lines. */
static size_t load_expect(const char *path, expect_t *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) fail_msg("%s: cannot open", path);
    char line[512];
    size_t n = 0;
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char file[200], status[64];
        int k = sscanf(line, "%199s %63s", file, status);
        if (k <= 0) continue;
        if (k != 2 || n == cap) fail_msg("%s:%u: want `file STATUS`", path, lineno);
        snprintf(out[n].file, sizeof out[n].file, "%s", file);
        if (strcmp(status, "ERROR") == 0) out[n].status = ANY_ERROR;
        else if (tv_status_from_name(status, &out[n].status) != 0) fail_msg("%s:%u: unknown %s", path, lineno, status);
        out[n].used = 0;
        n++;
    }
    fclose(f);
    return n;
}

static expect_t *find_expect(expect_t *e, size_t n, const char *file)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].file, file) == 0) return &e[i];
    return NULL;
}

/* Decode bytes held in an exact-size block; on BMQTT_OK also re-encode and
 * require the same bytes. Returns the decode status. */
static bmqtt_status_t decode_and_reencode(const char *name, const uint8_t *bytes, size_t len)
{
    uint8_t *in = malloc(len ? len : 1);
    assert_non_null(in);
    memcpy(in, bytes, len);
    bmqtt_packet_t pkt;
    size_t used = 0;
    bmqtt_status_t st = bmqtt_decode(in, len, &pkt, &used);
    if (st == BMQTT_OK) {
        if (used != len) fail_msg("%s: used %zu of %zu bytes", name, used, len);
        uint8_t out[512];
        size_t n = 0;
        bmqtt_status_t es = tv_encode_packet(&pkt, out, sizeof out, &n);
        if (es != BMQTT_OK) fail_msg("%s: re-encode failed: %s", name, tv_status_name(es));
        if (n != len || memcmp(out, in, len) != 0) {
            tv_hexdump("input     ", in, len);
            tv_hexdump("re-encoded", out, n);
            fail_msg("%s: encode(decode(b)) != b", name);
        }
        if (pkt.type == BMQTT_PUBLISH) {
            assert_true(tv_view_inside(pkt.u.publish.topic, in, len));
            assert_true(tv_view_inside(pkt.u.publish.payload, in, len));
        }
    }
    free(in);
    return st;
}

/* encode(decode(b)) == b for every valid captured packet [MQTT-1.5.3], [MQTT-2.2.3], section 3. */
static void test_valid_corpus_round_trips(void **state)
{
    (void)state;
    expect_t expect[16];
    size_t nexpect = load_expect(VALID_DIR "/expect.txt", expect, 16);
    char **subdirs;
    size_t nsub = tv_dir_list(VALID_DIR, "", &subdirs);
    assert_true(nsub != (size_t)-1);
    size_t files = 0, ok = 0;
    for (size_t d = 0; d < nsub; d++) {
        char dir[256];
        snprintf(dir, sizeof dir, "%s/%s", VALID_DIR, subdirs[d]);
        char **names;
        size_t n = tv_dir_list(dir, ".raw", &names);
        if (n == (size_t)-1) continue; /* a file (LICENCE, README.md...) */
        for (size_t i = 0; i < n; i++) {
            char rel[256], path[512];
            snprintf(rel, sizeof rel, "%s/%s", subdirs[d], names[i]);
            snprintf(path, sizeof path, "%s/%s", VALID_DIR, rel);
            uint8_t *data;
            size_t len;
            assert_int_equal(tv_file_read(path, &data, &len), 0);
            bmqtt_status_t st = decode_and_reencode(rel, data, len);
            expect_t *e = find_expect(expect, nexpect, rel);
            int want = e ? e->status : BMQTT_OK;
            if (e) e->used = 1;
            if ((int)st != want) fail_msg("%s: %s, want %s", rel, tv_status_name(st), tv_status_name(want));
            files++;
            ok += st == BMQTT_OK;
            free(data);
        }
        tv_names_free(names, n);
    }
    tv_names_free(subdirs, nsub);
    assert_int_equal(files, 79);
    assert_int_equal(ok, 78);
    for (size_t i = 0; i < nexpect; i++)
        if (!expect[i].used) fail_msg("expect.txt names %s, which does not exist", expect[i].file);
}

/* Every Mosquitto packet gets exactly the status reasoned out in expect.txt;
 * the valid ones (names saying "ok" among them) decode and re-encode exactly. */
static void test_mosquitto_corpus_statuses(void **state)
{
    (void)state;
    static expect_t expect[256];
    size_t nexpect = load_expect(MOSQ_DIR "/expect.txt", expect, 256);
    char **names;
    size_t n = tv_dir_list(MOSQ_DIR, ".raw", &names);
    assert_true(n != (size_t)-1);
    assert_int_equal(n, 182);
    int failures = 0, named_ok = 0;
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", MOSQ_DIR, names[i]);
        uint8_t *data;
        size_t len;
        assert_int_equal(tv_file_read(path, &data, &len), 0);
        expect_t *e = find_expect(expect, nexpect, names[i]);
        if (e == NULL) fail_msg("%s is not judged in expect.txt", names[i]);
        e->used = 1;
        bmqtt_status_t st = decode_and_reencode(names[i], data, len);
        int good = e->status == ANY_ERROR ? (st < 0 && st != BMQTT_NEED_MORE && BMQTT_STATUS_IS_PEER_ERROR(st))
                                          : (int)st == e->status;
        if (!good) {
            fprintf(stderr, "%s: got %s, want %s\n", names[i], tv_status_name(st),
                    e->status == ANY_ERROR ? "a malformed status" : tv_status_name(e->status));
            failures++;
        }
        /* A name that says "ok" is a valid packet. */
        if (strstr(names[i], "-ok") != NULL) {
            named_ok++;
            if (e->status != BMQTT_OK) fail_msg("%s says ok but expect.txt disagrees", names[i]);
        }
        free(data);
    }
    tv_names_free(names, n);
    assert_int_equal(named_ok, 7);
    for (size_t i = 0; i < nexpect; i++)
        if (!expect[i].used) fail_msg("expect.txt names %s, which does not exist", expect[i].file);
    if (failures) fail_msg("%d Mosquitto packets decoded with the wrong status", failures);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_corpus_round_trips),
        cmocka_unit_test(test_mosquitto_corpus_statuses),
    };
    return cmocka_run_group_tests_name("codec: external packet corpora", tests, NULL, NULL);
}
