"""A small MQTT 5.0 broker that records what its clients send (run with /usr/bin/python3).

  recorder.py --port P --out DIR --name NAME [--conns N] [--timeout S] [--ready FILE]

Accepts N connections one after the other (default 1). Every packet a client
sends is written, bytes unchanged, to DIR/NAME-<conn>-<nn>-<TYPE>.raw. It answers
just enough for a client to go on: CONNACK (success, no properties), SUBACK
granting each requested QoS, UNSUBACK, PUBACK / PUBREC / PUBCOMP, PINGRESP. It
stops a connection at DISCONNECT or when the client closes it. The answers
are written here by hand on purpose: this is the peer, not bmqtt.
"""
import argparse
import os
import socket
import sys

NAMES = {1: "CONNECT", 3: "PUBLISH", 6: "PUBREL", 8: "SUBSCRIBE", 10: "UNSUBSCRIBE", 12: "PINGREQ",
         14: "DISCONNECT", 15: "AUTH", 4: "PUBACK", 5: "PUBREC", 7: "PUBCOMP"}


def vbi(n):
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def read_vbi(data, i):
    n, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_packet(conn):
    first = read_exact(conn, 1)
    if first is None:
        return None
    header = first
    rl, shift = 0, 0
    while True:
        b = read_exact(conn, 1)
        if b is None:
            return None
        header += b
        rl |= (b[0] & 0x7F) << shift
        shift += 7
        if not b[0] & 0x80:
            break
    body = read_exact(conn, rl) if rl else b""
    if body is None:
        return None
    return header + body, first[0], body


def answer(t, flags, body):
    """The reply to one packet of type t, or None."""
    if t == 1:
        return bytes([0x20, 0x03, 0x00, 0x00, 0x00])
    if t == 3:
        qos = (flags >> 1) & 3
        if qos == 0:
            return None
        tlen = int.from_bytes(body[0:2], "big")
        pid = body[2 + tlen:4 + tlen]
        return bytes([0x40 if qos == 1 else 0x50, 0x02]) + pid
    if t == 6:
        return bytes([0x70, 0x02]) + body[0:2]
    if t in (8, 10):
        pid = body[0:2]
        plen, i = read_vbi(body, 2)
        i += plen
        codes = bytearray()
        while i < len(body):
            n = int.from_bytes(body[i:i + 2], "big")
            i += 2 + n
            if t == 8:
                codes.append(body[i] & 3)
                i += 1
            else:
                codes.append(0)
        rest = pid + b"\x00" + bytes(codes)
        return bytes([0x90 if t == 8 else 0xB0]) + vbi(len(rest)) + rest
    if t == 12:
        return bytes([0xD0, 0x00])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--conns", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--ready")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(1)
    srv.settimeout(args.timeout)
    if args.ready:
        open(args.ready, "w").close()
    for c in range(1, args.conns + 1):
        conn, _ = srv.accept()
        conn.settimeout(args.timeout)
        n = 0
        while True:
            got = read_packet(conn)
            if got is None:
                break
            raw, b0, body = got
            n += 1
            t = b0 >> 4
            path = os.path.join(args.out, "%s-%d-%02d-%s.raw" % (args.name, c, n, NAMES.get(t, "TYPE%d" % t)))
            with open(path, "wb") as f:
                f.write(raw)
            reply = answer(t, b0 & 15, body)
            if reply:
                conn.sendall(reply)
            if t == 14:
                break
        conn.close()
    srv.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
