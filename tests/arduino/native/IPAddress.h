/* A POSIX stand-in for Arduino's IPAddress: four bytes. */
#pragma once
#include <stdint.h>

class IPAddress {
public:
    IPAddress(uint8_t a = 0, uint8_t b = 0, uint8_t c = 0, uint8_t d = 0) : bytes{a, b, c, d} {}
    uint8_t operator[](int i) const { return bytes[i]; }
    uint8_t *raw_address() { return bytes; }
private:
    uint8_t bytes[4];
};
