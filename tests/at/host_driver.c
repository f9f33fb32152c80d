/*
 * A host driver for an ESP-AT MQTT modem, written the way an STM32 driver is:
 * a receive ring filled "by the UART interrupt" (here: a read of the pty),
 * a line reader, a wait for the `>` prompt, and a +MQTTSUBRECV parser that
 * reads the payload by its length (so CR, LF, NUL and commas inside it are
 * data, and a message split into several URCs is put back together).
 * Static buffers only. The only POSIX part is uart_rx_poll()/uart_tx().
 *
 * usage: at_host_driver FD HOST PORT   (FD: the host's end of the pty)
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int uart_fd = -1;

/* ---- "HAL": the UART ------------------------------------------------------ */

static uint8_t ring[4096];
static volatile uint32_t ring_head, ring_tail; /* the ISR writes head, the driver reads tail */

static uint32_t millis(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)(ts.tv_sec * 1000u + (uint32_t)(ts.tv_nsec / 1000000));
}

/* Stands in for the RXNE interrupt: move received bytes into the ring. */
static void uart_rx_poll(uint32_t wait_ms)
{
    struct pollfd p = { uart_fd, POLLIN, 0 };
    uint8_t b[256];
    ssize_t n, i;
    if (poll(&p, 1, (int)wait_ms) <= 0) {
        return;
    }
    n = read(uart_fd, b, sizeof b);
    for (i = 0; i < n; i++) {
        if (ring_head - ring_tail < sizeof ring) {
            ring[ring_head++ % sizeof ring] = b[i];
        }
    }
}

static void uart_tx(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0u) {
        ssize_t n = write(uart_fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static void uart_puts(const char *s)
{
    uart_tx(s, strlen(s));
}

/* One byte, or -1 after timeout_ms. */
static int uart_getc(uint32_t timeout_ms)
{
    uint32_t start = millis();
    while (ring_head == ring_tail) {
        uint32_t spent = millis() - start;
        if (spent >= timeout_ms) {
            return -1;
        }
        uart_rx_poll(timeout_ms - spent);
    }
    return ring[ring_tail++ % sizeof ring];
}

/* ---- the driver ----------------------------------------------------------- */

enum { AT_OK = 0, AT_ERROR = -1, AT_TIMEOUT = -2, AT_BUSY = -3 };

static char line[300];
static uint8_t msg[8192];   /* reassembled message */
static size_t msg_len;
static char msg_topic[130];
static int msg_ready;
static uint32_t last_err_code;

/* After `+MQTTSUBRECV:0,"`: <topic>",<len>,<len bytes>\r\n, read from the UART; the payload by its length. */
static int read_subrecv(uint32_t timeout_ms)
{
    char topic[sizeof msg_topic];
    size_t tn = 0, n = 0, i;
    int c;
    while ((c = uart_getc(timeout_ms)) != '"') { /* the topic (no quote inside, as on any real host) */
        if (c < 0 || tn + 1 >= sizeof topic) {
            return AT_ERROR;
        }
        topic[tn++] = (char)c;
    }
    topic[tn] = '\0';
    if (uart_getc(timeout_ms) != ',') {
        return AT_ERROR;
    }
    while ((c = uart_getc(timeout_ms)) != ',') {
        if (c < '0' || c > '9') {
            return AT_ERROR;
        }
        n = n * 10u + (size_t)(c - '0');
    }
    if (strcmp(msg_topic, topic) != 0) {
        msg_len = 0;
        memcpy(msg_topic, topic, tn + 1);
    }
    for (i = 0; i < n; i++) {
        c = uart_getc(timeout_ms);
        if (c < 0) {
            return AT_TIMEOUT;
        }
        if (msg_len < sizeof msg) {
            msg[msg_len++] = (uint8_t)c;
        }
    }
    if (uart_getc(timeout_ms) != '\r' || uart_getc(timeout_ms) != '\n') {
        return AT_ERROR;
    }
    msg_ready = 1;
    return AT_OK;
}

/* One line without CR LF (0), or a whole +MQTTSUBRECV (1), or an error. */
static int read_line(uint32_t timeout_ms)
{
    size_t n = 0;
    for (;;) {
        int c = uart_getc(timeout_ms);
        if (c < 0) {
            return AT_TIMEOUT;
        }
        if (n + 1 < sizeof line) {
            line[n++] = (char)c;
        }
        line[n] = '\0';
        if (n == 16 && memcmp(line, "+MQTTSUBRECV:0,\"", 16) == 0) {
            return read_subrecv(timeout_ms) == AT_OK ? 1 : AT_ERROR;
        }
        if (n >= 2 && line[n - 2] == '\r' && line[n - 1] == '\n') {
            line[n - 2] = '\0';
            return 0;
        }
    }
}

/* Wait for a command's final result; URCs on the way are handled. */
static int at_result(uint32_t timeout_ms)
{
    uint32_t start = millis();
    while (millis() - start < timeout_ms) {
        int r = read_line(timeout_ms);
        if (r < 0) {
            return r;
        }
        if (r == 1 || line[0] == '\0') {
            continue;
        }
        if (strcmp(line, "OK") == 0 || strcmp(line, "+MQTTPUB:OK") == 0) {
            return AT_OK;
        }
        if (strcmp(line, "ERROR") == 0 || strcmp(line, "+MQTTPUB:FAIL") == 0) {
            return AT_ERROR;
        }
        if (strcmp(line, "busy p...") == 0) {
            return AT_BUSY;
        }
        if (strncmp(line, "ERR CODE:0x", 11) == 0) {
            last_err_code = (uint32_t)strtoul(line + 11, NULL, 16);
        }
    }
    return AT_TIMEOUT;
}

/* Send a command and wait for its result, retrying while the modem is busy. */
static int at_cmd(const char *cmd, uint32_t timeout_ms)
{
    int r, tries = 0;
    do {
        uart_puts(cmd);
        uart_puts("\r\n");
        r = at_result(timeout_ms);
    } while (r == AT_BUSY && ++tries < 50);
    return r;
}

/* After "AT+...LONG*" or "AT+MQTTPUBRAW": wait for "\r\nOK\r\n\r\n>" (the '>' has no line end). */
static int wait_prompt(uint32_t timeout_ms)
{
    static const char want[] = "\r\nOK\r\n\r\n>";
    size_t got = 0;
    while (got < sizeof want - 1) {
        int c = uart_getc(timeout_ms);
        if (c < 0) {
            return AT_TIMEOUT;
        }
        got = (c == want[got]) ? got + 1 : (c == '\r' ? 1 : 0);
    }
    return AT_OK;
}

static int wait_message(const char *topic, size_t len, uint32_t timeout_ms)
{
    uint32_t start = millis();
    while (!(msg_ready && strcmp(msg_topic, topic) == 0 && msg_len >= len)) {
        int r = read_line(100);
        if (r == AT_ERROR || millis() - start > timeout_ms) {
            return AT_TIMEOUT;
        }
    }
    return AT_OK;
}

static int failures;

static void check(const char *what, int ok)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    failures += !ok;
}

int main(int argc, char **argv)
{
    static uint8_t payload[1500];
    char cmd[256];
    size_t i;
    int r;
    if (argc != 4) {
        fprintf(stderr, "usage: at_host_driver FD HOST PORT\n");
        return 2;
    }
    uart_fd = atoi(argv[1]);
    /* power-up: "ready", echo on */
    do {
        r = read_line(5000);
    } while (r == 0 && strcmp(line, "ready") != 0);
    check("modem ready", r == 0);
    check("ATE0", at_cmd("ATE0", 1000) == AT_OK);
    check("AT", at_cmd("AT", 1000) == AT_OK);
    check("AT+SYSLOG=1", at_cmd("AT+SYSLOG=1", 1000) == AT_OK);
    check("AT+MQTTUSERCFG", at_cmd("AT+MQTTUSERCFG=0,1,\"stm32\",\"\",\"\",0,0,\"\"", 1000) == AT_OK);
    {
        static const char id[] = "stm32-driver-with-a-long,\"client\"-id-00";
        snprintf(cmd, sizeof cmd, "AT+MQTTLONGCLIENTID=0,%u\r\n", (unsigned)(sizeof id - 1));
        uart_puts(cmd);
        check("AT+MQTTLONGCLIENTID prompt", wait_prompt(1000) == AT_OK);
        uart_puts(id);
    }
    check("AT+MQTTLONGCLIENTID data", at_result(1000) == AT_OK);
    snprintf(cmd, sizeof cmd, "AT+MQTTCONN=0,\"%s\",%s,1", argv[2], argv[3]);
    check("AT+MQTTCONN", at_cmd(cmd, 20000) == AT_OK);
    check("AT+MQTTSUB", at_cmd("AT+MQTTSUB=0,\"drv/echo\",1", 20000) == AT_OK);
    r = at_cmd("AT+MQTTSUB=0,\"bad/#/x\",1", 20000);
    check("AT+MQTTSUB of a malformed filter: ERROR, code 0x010a600d", r == AT_ERROR && last_err_code == 0x010a600du);

    /* PUBRAW of 1500 bytes with every troublesome byte; our own subscription gets it back */
    for (i = 0; i < sizeof payload; i++) {
        payload[i] = (uint8_t)(i * 31u + 7u);
    }
    memcpy(payload, "\r\nOK\r\n>\0,\"", 10);
    uart_puts("AT+MQTTPUBRAW=0,\"drv/echo\",1500,1,0\r\n");
    check("AT+MQTTPUBRAW prompt", wait_prompt(1000) == AT_OK);
    msg_ready = 0;
    msg_len = 0;
    msg_topic[0] = '\0';
    uart_tx(payload, sizeof payload);
    check("+MQTTPUB:OK", at_result(20000) == AT_OK);
    check("1500 bytes back through +MQTTSUBRECV, by length",
          wait_message("drv/echo", sizeof payload, 5000) == AT_OK && msg_len == sizeof payload &&
              memcmp(msg, payload, sizeof payload) == 0);

    /* A JSON payload: commas escaped in AT+MQTTPUB; a command sent while it blocks gets busy */
    msg_ready = 0;
    msg_len = 0;
    msg_topic[0] = '\0';
    uart_puts("AT+MQTTPUB=0,\"drv/echo\",\"{\\\"t\\\":21.5\\,\\\"h\\\":40}\",1,0\r\nAT\r\n");
    {
        int busy = 0, okays = 0;
        uint32_t start = millis();
        while (okays < 1 && millis() - start < 20000) {
            r = read_line(1000);
            if (r == 0 && strcmp(line, "busy p...") == 0) {
                busy++;
            } else if (r == 0 && strcmp(line, "OK") == 0) {
                okays++;
            }
        }
        check("busy p... for AT while AT+MQTTPUB QoS 1 waits, then OK", okays == 1 && busy == 1);
    }
    {
        static const char json[] = "{\"t\":21.5,\"h\":40}";
        check("JSON back unescaped", wait_message("drv/echo", sizeof json - 1, 5000) == AT_OK &&
                                         msg_len == sizeof json - 1 && memcmp(msg, json, sizeof json - 1) == 0);
    }
    check("AT+MQTTUNSUB", at_cmd("AT+MQTTUNSUB=0,\"drv/echo\"", 20000) == AT_OK);
    check("AT+MQTTCLEAN", at_cmd("AT+MQTTCLEAN=0", 20000) == AT_OK);
    printf("host driver: %d failure(s)\n", failures);
    return failures == 0 ? 0 : 1;
}
