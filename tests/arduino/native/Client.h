/* A POSIX stand-in for Arduino's Client class (cores/arduino/Client.h): the same pure virtual
 * functions, which are all port/arduino may call. Print and Stream are left out: the port uses
 * none of theirs. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "IPAddress.h"

class Client {
public:
    virtual ~Client() {}
    virtual int connect(IPAddress ip, uint16_t port) = 0;
    virtual int connect(const char *host, uint16_t port) = 0;
    virtual size_t write(uint8_t) = 0;
    virtual size_t write(const uint8_t *buf, size_t size) = 0;
    virtual int available() = 0;
    virtual int read() = 0;
    virtual int read(uint8_t *buf, size_t size) = 0;
    virtual int peek() = 0;
    virtual void flush() = 0;
    virtual void stop() = 0;
    virtual uint8_t connected() = 0;
    virtual operator bool() = 0;
};
