// An Arduino Client over a Stream (here the USB serial port): the sketch's stand-in for
// EthernetClient or WiFiClient on a board without a network. connect() and stop() only mark the
// state; the PC end (socat) holds the TCP connection to the broker.
#pragma once
#include <Arduino.h>
#include <Client.h>

class StreamClient : public Client {
public:
  explicit StreamClient(Stream &s) : io(s), open(false) {}
  int connect(IPAddress, uint16_t) override { open = true; return 1; }
  int connect(const char *, uint16_t) override { open = true; return 1; }
  size_t write(uint8_t b) override { return io.write(b); }
  size_t write(const uint8_t *buf, size_t size) override { return io.write(buf, size); }
  int available() override { return io.available(); }
  int read() override { return io.read(); }
  int read(uint8_t *buf, size_t size) override { return (int)io.readBytes(buf, size); }
  int peek() override { return io.peek(); }
  void flush() override { io.flush(); }
  void stop() override { open = false; }
  uint8_t connected() override { return open; }
  operator bool() override { return open; }
private:
  Stream &io;
  bool open;
};
