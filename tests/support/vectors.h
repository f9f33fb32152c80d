/*
 * Test-vector helpers for the codec tests: hex parsing, line-oriented vector
 * files, raw files and directories, status names, a small seeded PRNG.
 *
 * Linked into every unit test binary, so every symbol is prefixed `tv_`.
 * Test code only: it may allocate (the library may not).
 *
 * Vector file format (tests/vectors/NAME.txt), one row per line:
 *
 *     key[:] hex bytes ...   # optional comment
 *
 * Blank lines and lines starting with '#' are skipped. The key is the first
 * whitespace-separated token (a trailing ':' is dropped): a vector name, or a
 * status name such as BMQTT_ERR_BAD_LENGTH. Hex bytes are pairs of hex digits,
 * separated by blanks or not ("4D 51", "4d51"). A run of N copies of one byte
 * may be written `XX*N` (e.g. `41*300`).
 */
#ifndef BMQTT_TESTS_VECTORS_H
#define BMQTT_TESTS_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/codec.h"

#define TV_KEY_MAX 96
#define TV_COMMENT_MAX 240

typedef struct tv_row {
    char key[TV_KEY_MAX];
    char comment[TV_COMMENT_MAX];
    uint8_t *bytes; /* malloc'ed; NULL when the row has no bytes */
    size_t len;
    unsigned line; /* 1-based line number in the file */
} tv_row_t;

typedef struct tv_table {
    tv_row_t *rows;
    size_t count;
} tv_table_t;

/* Parse hex text (see the format above) into out[0..cap). Returns 0 and sets
 * *len, or -1 on a bad digit, an odd digit count or overflow of cap. */
int tv_hex_parse(const char *text, uint8_t *out, size_t cap, size_t *len);

/* Load a vector file. Returns 0, or -1 (file missing or a malformed line:
 * the reason is printed to stderr). */
int tv_table_load(const char *path, tv_table_t *t);

/* The first row with this key, or NULL. */
const tv_row_t *tv_table_find(const tv_table_t *t, const char *key);

void tv_table_free(tv_table_t *t);

/* Read a whole file into a malloc'ed buffer (never NULL on success, even for
 * an empty file). Returns 0 or -1. */
int tv_file_read(const char *path, uint8_t **data, size_t *len);

/* Sorted names of the regular files in dir whose name ends with suffix
 * ("" for all), or the subdirectories too with "". Returns the count, or
 * (size_t)-1 when dir cannot be read or the platform has no <dirent.h>.
 * Free with tv_names_free(). */
size_t tv_dir_list(const char *dir, const char *suffix, char ***names);
void tv_names_free(char **names, size_t count);

/* "BMQTT_ERR_BAD_LENGTH" <-> its value. tv_status_from_name returns 0 and
 * sets *status, or -1 for an unknown name. tv_status_name returns NULL for a
 * value that is not in bmqtt_status_t. */
int tv_status_from_name(const char *name, int *status);
const char *tv_status_name(int status);
/* Every value of bmqtt_status_t, for exhaustive tests. */
extern const int tv_all_statuses[];
extern const size_t tv_all_statuses_count;

/* Deterministic PRNG (xorshift32); *state must not be 0. */
uint32_t tv_rand(uint32_t *state);

/* 1 when view v holds exactly the n bytes at p (NULL p with n 0 matches any
 * empty view), else 0; prints both on a mismatch. */
int tv_view_eq(bmqtt_view_t v, const void *p, size_t n);
/* Same, for a NUL-terminated string. */
int tv_view_eq_str(bmqtt_view_t v, const char *s);
/* 1 when the view's bytes lie inside buf[0..len) (a view into the input). */
int tv_view_inside(bmqtt_view_t v, const uint8_t *buf, size_t len);

/* Encode a decoded packet again with the matching encoder (SUBSCRIBE,
 * UNSUBSCRIBE lists up to 64 entries). Returns the encoder's status. */
bmqtt_status_t tv_encode_packet(const bmqtt_packet_t *pkt, uint8_t *buf, size_t cap, size_t *len);

/* 1 when two packets hold the same type, flags and fields (views compared by
 * content; absent vs present-empty optional CONNECT fields distinguished;
 * SUBSCRIBE/UNSUBSCRIBE/SUBACK lists compared entry by entry). Prints the
 * first difference otherwise. */
int tv_packet_eq(const bmqtt_packet_t *a, const bmqtt_packet_t *b);

/* Print bytes as hex to stderr, with a label (for failure messages). */
void tv_hexdump(const char *label, const uint8_t *p, size_t n);

#endif /* BMQTT_TESTS_VECTORS_H */
