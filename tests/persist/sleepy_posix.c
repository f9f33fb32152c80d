/*
 * The deep-sleep device (examples/common/sleepy_device.c) on the POSIX port:
 * one process is one wake, its retained memory a MAP_SHARED file, SIGKILL a
 * reset. tests/persist/reset_loop.py runs it again and again, kills some wakes,
 * and checks with mosquitto_sub that every reading reported published arrived.
 *
 *   sleepy_posix <state-file> <port> <device-id> <log>
 *
 * Appends "<reading>" to <log> once a reading is published; exit 0 when the
 * wake ended with every message acknowledged.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bmqtt_posix.h"
#include "sleepy_device.h"

static bmqtt_posix_t sock;
static bmqtt_transport_t tcp;
static uint16_t port;
static int log_fd;

static bmqtt_status_t b_open(void *ctx, const bmqtt_transport_t **tr)
{
    bmqtt_status_t st = bmqtt_posix_connect(&sock, "127.0.0.1", port, 3000);
    (void)ctx;
    if (st != BMQTT_OK) return st;
    bmqtt_posix_transport(&sock, &tcp);
    *tr = &tcp;
    return BMQTT_OK;
}

static void b_wait(void *ctx, uint32_t ms)
{
    (void)ctx;
    (void)bmqtt_posix_wait(&sock, 0, ms);
}

static uint32_t b_now(void *ctx)
{
    (void)ctx;
    return bmqtt_posix_now_ms();
}

static int32_t b_temp(void *ctx)
{
    (void)ctx;
    return 200 + (int32_t)(getpid() % 50);
}

static void b_published(void *ctx, uint32_t reading)
{
    char line[32];
    int n = snprintf(line, sizeof line, "%lu\n", (unsigned long)reading);
    (void)ctx;
    if (write(log_fd, line, (size_t)n) != n) _exit(4);
}

int main(int argc, char **argv)
{
    sleepy_board_t b = { .open = b_open, .wait = b_wait, .now_ms = b_now, .temperature_dC = b_temp,
        .published = b_published, .awake_ms = 10000 };
    int fd;
    void *mem;
    bmqtt_status_t st;

    if (argc != 5) return 2;
    port = (uint16_t)atoi(argv[2]);
    b.device_id = argv[3];
    fd = open(argv[1], O_RDWR | O_CREAT, 0644);
    if (fd < 0 || ftruncate(fd, sizeof(sleepy_retained_t)) != 0) return 2;
    mem = mmap(NULL, sizeof(sleepy_retained_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED) return 2;
    b.retained = mem;
    if ((log_fd = open(argv[4], O_WRONLY | O_APPEND | O_CREAT, 0644)) < 0) return 2;
    bmqtt_posix_init(&sock);
    st = sleepy_device_wake(&b);
    if (st != BMQTT_OK) fprintf(stderr, "sleepy: %s\n", bmqtt_status_str(st));
    return st == BMQTT_OK ? 0 : 1;
}
