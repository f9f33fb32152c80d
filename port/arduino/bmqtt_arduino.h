/**
 * @file bmqtt_arduino.h
 * @brief A bmqtt transport over any Arduino `Client` (EthernetClient, WiFiClient,
 *        WiFiClientSecure, GSMClient...), for sketches and Arduino libraries.
 *
 * The Client does the networking (and TLS, for WiFiClientSecure); this port only moves bytes
 * between it and the client session without blocking on reads: `recv` takes what
 * `available()` says is there and reports BMQTT_WOULD_BLOCK otherwise. `write()` is the
 * Client's own (most block until the bytes are queued); a write of 0 bytes on a connection that
 * is gone is BMQTT_ERR_CLOSED.
 *
 * @code
 * #include <Ethernet.h>
 * #include <bmqtt.h>
 *
 * EthernetClient net;
 * bmqtt_arduino_t link;
 * bmqtt_transport_t tr;
 *
 * // in setup(): connect the Client, then hand it to the session
 * if (bmqtt_arduino_connect(&link, &net, "192.168.1.10", 1883, &tr) == BMQTT_OK) {
 *     bmqtt_client_connect(&client, &tr, &conn, millis());
 * }
 * // in loop(): bmqtt_client_poll(&client, millis());
 * @endcode
 */
#ifndef BMQTT_ARDUINO_H
#define BMQTT_ARDUINO_H

#include <stddef.h>
#include <stdint.h>

#include "bmqtt/status.h"
#include "bmqtt/transport.h"

#ifdef __cplusplus
class Client;

/** The port's state: the Client it drives. Zeroed or filled by bmqtt_arduino_transport(). */
typedef struct bmqtt_arduino {
    Client *client; /**< Not owned: it must outlive the session. */
} bmqtt_arduino_t;

/**
 * Fill @p tr with a transport over @p client, which must already be connected (or connect it
 * with bmqtt_arduino_connect()). The transport's close calls `client->stop()`.
 */
void bmqtt_arduino_transport(bmqtt_arduino_t *link, Client *client, bmqtt_transport_t *tr);

/**
 * `client->connect(host, port)`, then bmqtt_arduino_transport(). Blocks as long as the Client's
 * connect does. BMQTT_ERR_CONNECT when it fails, BMQTT_ERR_PARAM on a NULL argument.
 */
bmqtt_status_t bmqtt_arduino_connect(bmqtt_arduino_t *link, Client *client, const char *host, uint16_t port,
                                     bmqtt_transport_t *tr);
#endif /* __cplusplus */

#endif /* BMQTT_ARDUINO_H */
