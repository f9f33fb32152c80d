/*
 * A device whose retained memory is a MAP_SHARED file: SIGKILL is its reset.
 * tests/persist/reset_loop.py kills it at random instants and starts it again.
 *
 *   persist_device out <state> <port> <client-id> <run> <count> <log>
 *       Publish <count> messages, QoS 1 and 2 in turn, payload "<run>:<k>" on
 *       persist/out/q<qos>; after each publish returns BMQTT_OK append
 *       "<qos> <run>:<k>" to <log> (the run reports it published). Exit 0 once
 *       every open message (of this run and of the killed ones) has ended.
 *   persist_device in <state> <port> <client-id> <file> <expect>
 *       Subscribe persist/in at QoS 2 (when the broker has no session), and
 *       append each delivered message to <file> inside the event (its
 *       processing); exit 0 once <file> holds <expect> lines and no incoming
 *       QoS 2 message is open.
 *
 * Both use clean session 0 and bmqtt_client_resume() on the state file.
 * Exit status: 0 done, 2 usage, 3 broker unreachable or session lost.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bmqtt/client.h"
#include "bmqtt/persist.h"
#include "bmqtt_posix.h"

#define SLOTS 8
#define QOS2 8
#define REGION BMQTT_RETAINED_SIZE(SLOTS, QOS2, 1024)

static uint8_t tx[2048], rx[1024];
static bmqtt_inflight_t slots[SLOTS];
static uint16_t q2[QOS2];
static bmqtt_client_t c;
static bmqtt_posix_t sock;
static bmqtt_transport_t tr;
static int session_present = -1, out_fd = -1;
static long lines;

/* The last line of the file (without its newline), into buf. */
static void last_line(int fd, char *buf, size_t size)
{
    off_t end = lseek(fd, 0, SEEK_END), at;
    char tmp[256];
    ssize_t n;
    buf[0] = 0;
    if (end <= 1) return;
    at = end > (off_t)sizeof tmp ? end - (off_t)sizeof tmp : 0;
    n = pread(fd, tmp, (size_t)(end - at), at);
    if (n <= 1) return;
    tmp[n - 1] = 0; /* the final newline */
    char *p = strrchr(tmp, '\n');
    p = p ? p + 1 : tmp;
    n = (ssize_t)strlen(p);
    if ((size_t)n >= size) n = (ssize_t)size - 1;
    memcpy(buf, p, (size_t)n);
    buf[n] = 0;
}

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_CONNACK) session_present = ev->session_present;
    if (ev->type == BMQTT_EVT_MESSAGE && out_fd >= 0) {
        const bmqtt_message_t *m = ev->message;
        char line[128], last[128];
        int n = snprintf(line, sizeof line, "%.*s", (int)m->payload.len, (const char *)m->payload.ptr);
        /* A repeat (dup) may be one taken just before a reset: compare with the last one kept. */
        if (m->dup && !getenv("PERSIST_NO_DUPCHECK")) {
            last_line(out_fd, last, sizeof last);
            if (strcmp(last, line) == 0) return;
        }
        line[n] = '\n';
        if (write(out_fd, line, (size_t)n + 1) != n + 1) _exit(4); /* durable before PUBREC: persist.h */
        lines++;
    }
}

/* In mode "in", every send waits 1 ms first, as on a slow link: the reset then often lands
 * between a message taken (its id recorded) and its PUBREC on the wire, where only the
 * recorded id keeps the broker's repeat from being delivered twice. */
static int32_t slow_send(void *ctx, const uint8_t *buf, size_t len)
{
    usleep(1000);
    return bmqtt_posix_send(ctx, buf, len);
}

static void *map_state(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    void *p;
    if (fd < 0 || ftruncate(fd, (off_t)REGION) != 0) return NULL;
    p = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

static int poll_once(void)
{
    bmqtt_status_t st = bmqtt_client_poll(&c, bmqtt_posix_now_ms());
    if (st != BMQTT_OK && st != BMQTT_WOULD_BLOCK) {
        fprintf(stderr, "persist_device: session ended: %s\n", bmqtt_status_str(st));
        exit(3);
    }
    (void)bmqtt_posix_wait(&sock, !bmqtt_client_tx_idle(&c), 5);
    return st;
}

int main(int argc, char **argv)
{
    static const bmqtt_client_config_t cfg = { .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx, .rx_size = sizeof rx,
        .inflight = slots, .inflight_count = SLOTS, .qos2_ids = q2, .qos2_count = QOS2, .on_event = on_event,
        .response_timeout_ms = 10000 };
    bmqtt_connect_t f = { .keepalive_s = 30, .clean_session = 0 };
    void *region;
    bmqtt_status_t st;
    int out;

    if (argc != 8 && argc != 7) return 2;
    out = strcmp(argv[1], "out") == 0;
    if ((out && argc != 8) || (!out && (argc != 7 || strcmp(argv[1], "in") != 0))) return 2;
    if ((region = map_state(argv[2])) == NULL) return 2;
    if (bmqtt_client_init(&c, &cfg) != BMQTT_OK) return 2;
    /* PERSIST_NO_RESUME=1: the control run, without retained memory (the loops must then fail). */
    st = getenv("PERSIST_NO_RESUME") ? BMQTT_ERR_NO_SESSION : bmqtt_client_resume(&c, region, REGION);
    fprintf(stderr, "persist_device: resume: %s, %u open\n", bmqtt_status_str(st), (unsigned)bmqtt_client_inflight(&c));
    f.client_id = bmqtt_view_str(argv[4]);
    bmqtt_posix_init(&sock);
    if (bmqtt_posix_connect(&sock, "127.0.0.1", (uint16_t)atoi(argv[3]), 3000) != BMQTT_OK) return 3;
    bmqtt_posix_transport(&sock, &tr);
    if (!out) tr.send = slow_send;
    if (bmqtt_client_connect(&c, &tr, &f, bmqtt_posix_now_ms()) != BMQTT_OK) return 3;
    while (poll_once() == BMQTT_WOULD_BLOCK) {
    }

    if (out) {
        int log = open(argv[7], O_WRONLY | O_APPEND | O_CREAT, 0644);
        long count = atol(argv[6]);
        char topic[32], payload[64], line[80];
        if (log < 0) return 2;
        for (long k = 0; k < count;) {
            uint8_t qos = (uint8_t)(1 + (k & 1));
            bmqtt_publish_t p = { .qos = qos };
            snprintf(topic, sizeof topic, "persist/out/q%u", (unsigned)qos);
            snprintf(payload, sizeof payload, "%s:%ld", argv[5], k);
            p.topic = bmqtt_view_str(topic);
            p.payload = bmqtt_view_str(payload);
            st = bmqtt_client_publish(&c, &p, NULL);
            if (st == BMQTT_OK) {
                int n = snprintf(line, sizeof line, "%u %s\n", (unsigned)qos, payload);
                if (write(log, line, (size_t)n) != n) return 4;
                k++;
            } else if (st == BMQTT_ERR_INFLIGHT_FULL) {
                (void)poll_once();
            } else {
                fprintf(stderr, "persist_device: publish: %s\n", bmqtt_status_str(st));
                return 3;
            }
            (void)poll_once();
        }
        while (bmqtt_client_inflight(&c)) (void)poll_once();
        return 0;
    }
    if ((out_fd = open(argv[5], O_RDWR | O_APPEND | O_CREAT, 0644)) < 0) return 2;
    {
        char buf[4096];
        ssize_t n;
        long expect = atol(argv[6]);
        while ((n = read(out_fd, buf, sizeof buf)) > 0) {
            for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n';
        }
        if (session_present == 0) {
            bmqtt_subscription_t sub = { BMQTT_VIEW_LIT("persist/in"), 2 };
            if (bmqtt_client_subscribe(&c, &sub, 1, NULL) != BMQTT_OK) return 3;
        }
        for (;;) {
            int open_ids = 0;
            for (int i = 0; i < QOS2; i++) open_ids += q2[i] != 0;
            if (lines >= expect && open_ids == 0) break;
            (void)poll_once();
        }
    }
    return 0;
}
