/*
 * bmqtt transport over an Arduino Client: the only C++ file of bmqtt, kept to the calls of
 * Arduino's Client class (available, read, write, connected, connect, stop).
 */
#include "bmqtt_arduino.h"

#include <Client.h>

static int32_t arduino_send(void *ctx, const uint8_t *buf, size_t len)
{
    Client *c = static_cast<bmqtt_arduino_t *>(ctx)->client;
    if (c == NULL) return BMQTT_ERR_CLOSED;
    if (len > 0x7fff) len = 0x7fff; /* an int32_t result, and a 16-bit size_t on AVR */
    size_t n = c->write(buf, len);
    if (n > 0) return static_cast<int32_t>(n);
    return c->connected() ? BMQTT_WOULD_BLOCK : BMQTT_ERR_CLOSED;
}

static int32_t arduino_recv(void *ctx, uint8_t *buf, size_t len)
{
    Client *c = static_cast<bmqtt_arduino_t *>(ctx)->client;
    if (c == NULL) return BMQTT_ERR_CLOSED;
    int avail = c->available();
    if (avail <= 0) {
        /* Bytes still buffered are read before a close is reported. */
        return c->connected() ? BMQTT_WOULD_BLOCK : BMQTT_ERR_CLOSED;
    }
    if (len > static_cast<size_t>(avail)) len = static_cast<size_t>(avail);
    if (len > 0x7fff) len = 0x7fff;
    int n = c->read(buf, len);
    if (n > 0) return static_cast<int32_t>(n);
    return c->connected() ? BMQTT_WOULD_BLOCK : BMQTT_ERR_CLOSED;
}

static void arduino_close(void *ctx)
{
    bmqtt_arduino_t *link = static_cast<bmqtt_arduino_t *>(ctx);
    if (link->client != NULL) link->client->stop();
}

void bmqtt_arduino_transport(bmqtt_arduino_t *link, Client *client, bmqtt_transport_t *tr)
{
    if (link == NULL || tr == NULL) return;
    link->client = client;
    tr->send = arduino_send;
    tr->recv = arduino_recv;
    tr->close = arduino_close;
    tr->ctx = link;
}

bmqtt_status_t bmqtt_arduino_connect(bmqtt_arduino_t *link, Client *client, const char *host, uint16_t port,
                                     bmqtt_transport_t *tr)
{
    if (link == NULL || client == NULL || host == NULL || tr == NULL) return BMQTT_ERR_PARAM;
    if (client->connect(host, port) != 1) return BMQTT_ERR_CONNECT;
    bmqtt_arduino_transport(link, client, tr);
    return BMQTT_OK;
}
