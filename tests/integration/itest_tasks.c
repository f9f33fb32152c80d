/*
 * docs/PORTING.md's two tasks with lock hooks, as threads: the MQTT task polls
 * and sleeps in bmqtt_posix_wait() (asking bmqtt_client_tx_idle() whether to
 * wait for writability too), the other publishes QoS 1 every millisecond.
 * tests/integration/run.sh builds it with ThreadSanitizer: no report, and
 * every message acknowledged (mosquitto_sub counts them).
 *
 *   itest_tasks <port> <client-id> <count>
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bmqtt/client.h"
#include "bmqtt_posix.h"

static pthread_mutex_t mutex;            /* recursive: events run inside poll's lock */
static bmqtt_posix_t sock;
static bmqtt_transport_t tr;
static uint8_t tx[2048], rx[512], obox[2048];
static bmqtt_inflight_t slots[16];
static uint16_t q2[4];
static bmqtt_client_t client;
static int done_ok, done_bad, total;    /* under the lock: events run inside it */

static void lock(void *user) { (void)user; pthread_mutex_lock(&mutex); }
static void unlock(void *user) { (void)user; pthread_mutex_unlock(&mutex); }

static void on_event(void *user, const bmqtt_event_t *ev)
{
    (void)user;
    if (ev->type == BMQTT_EVT_PUBLISH_DONE) {
        if (ev->status == BMQTT_OK) done_ok++;
        else done_bad++;
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* The other task: one reading a millisecond; a full table or tx_buf means "later". */
static void *publisher(void *arg)
{
    char payload[16];
    (void)arg;
    for (int i = 1; i <= total;) {
        bmqtt_publish_t p = { .topic = BMQTT_VIEW("itest/tasks"), .qos = 1 };
        bmqtt_status_t st;
        snprintf(payload, sizeof payload, "m%d", i);
        p.payload = bmqtt_view_str(payload);
        st = bmqtt_client_publish(&client, &p, NULL);
        if (st == BMQTT_OK) i++;
        else if (st != BMQTT_ERR_INFLIGHT_FULL && st != BMQTT_ERR_BUSY) {
            fprintf(stderr, "publish: %s\n", bmqtt_status_str(st));
            exit(3);
        }
        sleep_ms(1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static const bmqtt_client_config_t cfg = { .tx_buf = tx, .tx_size = sizeof tx, .rx_buf = rx,
        .rx_size = sizeof rx, .inflight = slots, .inflight_count = 16, .qos2_ids = q2, .qos2_count = 4,
        .on_event = on_event, .lock = lock, .unlock = unlock };
    pthread_mutexattr_t a;
    pthread_t other;
    bmqtt_connect_t f = { .clean_session = 1, .keepalive_s = 30 };
    bmqtt_status_t st;
    int ok, bad;
    uint32_t start;

    if (argc != 4) return 2;
    total = atoi(argv[3]);
    f.client_id = bmqtt_view_str(argv[2]);
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&mutex, &a);
    if (bmqtt_client_init(&client, &cfg) != BMQTT_OK || bmqtt_client_set_outbox(&client, obox, sizeof obox) != BMQTT_OK ||
        bmqtt_posix_connect(&sock, "127.0.0.1", (uint16_t)atoi(argv[1]), 3000) != BMQTT_OK) {
        return 1;
    }
    bmqtt_posix_transport(&sock, &tr);
    if (bmqtt_client_connect(&client, &tr, &f, bmqtt_posix_now_ms()) != BMQTT_OK) return 1;
    while ((st = bmqtt_client_poll(&client, bmqtt_posix_now_ms())) == BMQTT_WOULD_BLOCK) {
        bmqtt_posix_wait(&sock, !bmqtt_client_tx_idle(&client), 50);
    }
    if (st != BMQTT_OK) return 1;
    pthread_create(&other, NULL, publisher, NULL);
    /* The MQTT task, as docs/PORTING.md writes it. */
    start = bmqtt_posix_now_ms();
    for (;;) {
        st = bmqtt_client_poll(&client, bmqtt_posix_now_ms());
        if (st != BMQTT_OK) break;
        lock(NULL);
        ok = done_ok;
        bad = done_bad;
        unlock(NULL);
        if (ok + bad == total || bmqtt_posix_now_ms() - start > 60000u) break;
        bmqtt_posix_wait(&sock, !bmqtt_client_tx_idle(&client), 10);
    }
    pthread_join(other, NULL);
    if (bmqtt_client_disconnect(&client) == BMQTT_WOULD_BLOCK) {
        while (bmqtt_client_poll(&client, bmqtt_posix_now_ms()) == BMQTT_WOULD_BLOCK) bmqtt_posix_wait(&sock, 0, 20);
    }
    printf("published %d, acknowledged %d, dropped %d, state %d\n", total, done_ok, done_bad,
           (int)bmqtt_client_state(&client));
    return done_ok == total && bmqtt_client_last_error(&client).status == BMQTT_OK ? 0 : 1;
}
