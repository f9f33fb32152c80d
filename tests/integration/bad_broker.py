"""A tiny, hostile MQTT "broker" for the bad-input tests.

Usage: bad_broker.py PORTFILE HEX [HEX...]

Listens on 127.0.0.1 (a port the kernel picks, written to PORTFILE), and for
each HEX argument in turn accepts one connection, reads the client's CONNECT,
answers CONNACK (accepted), sends the bytes of HEX (e.g. "30 04 00 FF 41 42")
and waits for the client to close the connection (5 s at most). It prints one
line per connection: "closed" when the client closed it, "timeout" otherwise.
Exits 0 when every client closed the connection.
"""
import socket
import sys


def read_packet(conn):
    """Read one MQTT packet (fixed header + body); return (first_byte, body) or None at EOF."""
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


def main():
    portfile, cases = sys.argv[1], sys.argv[2:]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(20)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    import os
    os.rename(portfile + ".tmp", portfile)

    ok = True
    for case in cases:
        conn, _ = srv.accept()
        conn.settimeout(5)
        try:
            pkt = read_packet(conn)
            if pkt is None or pkt[0] != 0x10:
                print("no CONNECT", flush=True)
                ok = False
                continue
            conn.sendall(bytes.fromhex("20 02 00 00") + bytes.fromhex(case))
            result = "timeout"
            try:
                while True:
                    data = conn.recv(4096)
                    if not data:
                        result = "closed"
                        break
            except ConnectionResetError:
                result = "closed"
            except socket.timeout:
                pass
            print(result, flush=True)
            ok = ok and result == "closed"
        finally:
            conn.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
