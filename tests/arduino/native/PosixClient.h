/* An Arduino Client over a POSIX TCP socket, behaving as EthernetClient does: connect() blocks
 * and returns 1 on success, write() blocks until the bytes are sent, available() says how many
 * bytes can be read now, connected() stays true while unread bytes remain after the peer closed. */
#pragma once
#include "Client.h"

class PosixClient : public Client {
public:
    PosixClient() : fd(-1), peer_closed(false) {}
    ~PosixClient() override { stop(); }
    int connect(IPAddress ip, uint16_t port) override;
    int connect(const char *host, uint16_t port) override;
    size_t write(uint8_t b) override { return write(&b, 1); }
    size_t write(const uint8_t *buf, size_t size) override;
    int available() override;
    int read() override;
    int read(uint8_t *buf, size_t size) override;
    int peek() override;
    void flush() override {}
    void stop() override;
    uint8_t connected() override;
    operator bool() override { return fd >= 0; }
    unsigned long writes = 0, reads = 0; /* calls that moved bytes, for the test's report */
private:
    int fd;
    bool peer_closed;
};
