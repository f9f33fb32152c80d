"""Servers that are not a well-behaved MQTT broker, for the bmqtt-cli tests.

Usage: fake_server.py PORTFILE MODE

Listens on 127.0.0.1 (a port the kernel picks, written to PORTFILE) and serves
one connection:

  http     what a web server such as nginx does with bytes that are not HTTP:
           reads them, answers "HTTP/1.1 400 Bad Request" with a small page and
           closes.
  refuse   an MQTT server that accepts the CONNECT and refuses every filter of
           the SUBSCRIBE (SUBACK return code 0x80 for each, [MQTT-3.9.3-1]),
           then waits for the client to close.
  silent   reads whatever comes and never answers, until the client closes
           (exit 0) or 20 s pass (exit 1).
  drop     an MQTT server that accepts the CONNECT, reads one PUBLISH and
           closes the connection without acknowledging it.

Prints what it did on stdout; exits 0 when the client behaved (closed the
connection in time).
"""
import os
import socket
import sys


def read_packet(conn):
    """One MQTT packet: (first byte, body), or None at EOF."""
    first = conn.recv(1)
    if not first:
        return None
    mult, rem = 1, 0
    for _ in range(4):
        b = conn.recv(1)
        if not b:
            return None
        rem += (b[0] & 0x7F) * mult
        mult *= 128
        if not b[0] & 0x80:
            break
    body = b""
    while len(body) < rem:
        chunk = conn.recv(rem - len(body))
        if not chunk:
            return None
        body += chunk
    return first[0], body


def filters_in(body):
    """Number of filters in a SUBSCRIBE body (after the packet id)."""
    i, n = 2, 0
    while i + 2 <= len(body):
        ln = (body[i] << 8) | body[i + 1]
        i += 2 + ln + 1
        n += 1
    return n


def main():
    portfile, mode = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(20)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    conn, _ = srv.accept()
    conn.settimeout(10)
    if mode == "http":
        conn.recv(4096)
        page = b"<html><body>400 Bad Request</body></html>\r\n"
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                     b"Content-Length: " + str(len(page)).encode() + b"\r\nConnection: close\r\n\r\n" + page)
        conn.close()
        print("http: answered 400")
        return 0
    if mode == "refuse":
        pkt = read_packet(conn)
        if pkt is None or pkt[0] != 0x10:
            print("refuse: no CONNECT")
            return 1
        conn.sendall(bytes([0x20, 0x02, 0x00, 0x00]))
        pkt = read_packet(conn)
        if pkt is None or pkt[0] != 0x82:
            print("refuse: no SUBSCRIBE")
            return 1
        n = filters_in(pkt[1])
        conn.sendall(bytes([0x90, 2 + n]) + pkt[1][:2] + bytes([0x80] * n))
        print("refuse: SUBACK with %d x 0x80" % n)
        try:
            while conn.recv(4096):
                pass
        except socket.timeout:
            print("refuse: the client did not close the connection")
            return 1
        return 0
    if mode == "silent":
        conn.settimeout(20)
        got = 0
        try:
            while True:
                b = conn.recv(4096)
                if not b:
                    break
                got += len(b)
        except socket.timeout:
            print("silent: the client did not close the connection")
            return 1
        print("silent: read %d bytes, answered none" % got)
        return 0
    if mode == "drop":
        pkt = read_packet(conn)
        if pkt is None or pkt[0] != 0x10:
            print("drop: no CONNECT")
            return 1
        conn.sendall(bytes([0x20, 0x02, 0x00, 0x00]))
        pkt = read_packet(conn)
        if pkt is None or pkt[0] >> 4 != 3:
            print("drop: no PUBLISH")
            return 1
        conn.close()
        print("drop: closed after a PUBLISH (first byte 0x%02x)" % pkt[0])
        return 0
    print("unknown mode " + mode)
    return 2


if __name__ == "__main__":
    sys.exit(main())
