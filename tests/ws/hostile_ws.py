#!/usr/bin/python3
"""A hostile WebSocket server for bmqtt's WebSocket port (raw sockets, RFC 6455).

    hostile_ws.py VERDICT_FILE      prints its port, then serves until killed

The request path names the scenario (ws://127.0.0.1:PORT/<scenario>). For every
connection the server checks the client's opening handshake (RFC 6455 section
4.1, [MQTT-6.0.0-3]), plays the scenario, checks every client frame (masked,
binary MQTT bytes [MQTT-6.0.0-1], pongs that echo the ping, the close code the
client answers with) and appends one line to VERDICT_FILE: "OK <scenario>" or
"FAIL <scenario>: <why>". After a refused handshake it checks that the client
sent nothing at all; after a framing fault, that the client sent exactly one
close frame with the expected code and nothing after it. Every read has a
deadline (10 s), so nothing hangs.
"""
import base64
import hashlib
import socket
import struct
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
LOCK = threading.Lock()
VERDICTS = sys.argv[1]
DEADLINE = 10.0


class Fail(Exception):
    pass


def verdict(name, why=None):
    line = "OK %s\n" % name if why is None else "FAIL %s: %s\n" % (name, why)
    with LOCK:
        with open(VERDICTS, "a") as f:
            f.write(line)


def frame(op, payload=b"", fin=True, rsv=0, mask=None, length=None):
    """A server frame; `length` overrides the length field (raw bytes after the 7-bit one)."""
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    n = len(payload)
    if length is not None:
        l7, ext = length
    elif n < 126:
        l7, ext = n, b""
    elif n < 65536:
        l7, ext = 126, struct.pack(">H", n)
    else:
        l7, ext = 127, struct.pack(">Q", n)
    if mask is not None:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        return bytes([b0, 0x80 | l7]) + ext + mask + payload
    return bytes([b0, l7]) + ext + payload


def varint(n):
    out = b""
    while True:
        d = n % 128
        n //= 128
        out += bytes([d | (0x80 if n else 0)])
        if not n:
            return out


def publish(topic, payload):
    body = struct.pack(">H", len(topic)) + topic + payload
    return b"\x30" + varint(len(body)) + body


def pattern(n):
    return bytes((i * 7 + (i >> 8)) & 0xFF for i in range(n))


CONNACK = b"\x20\x02\x00\x00"


class Conn:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""
        self.s.settimeout(DEADLINE)
        self.cut_close_ok = False
        self.last_head = None

    def read(self, n):
        end = time.monotonic() + DEADLINE
        while len(self.buf) < n:
            if time.monotonic() > end:
                raise Fail("timed out waiting for %d bytes" % n)
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                raise Fail("timed out waiting for %d bytes" % n)
            except ConnectionResetError:
                d = b""
            if not d:
                return None
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def request(self):
        end = time.monotonic() + DEADLINE
        while b"\r\n\r\n" not in self.buf:
            if time.monotonic() > end:
                raise Fail("no complete request")
            d = self.s.recv(4096)
            if not d:
                raise Fail("closed before the request ended")
            self.buf += d
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3 or parts[0] != b"GET" or parts[2] != b"HTTP/1.1":
            raise Fail("bad request line %r" % lines[0])
        hdr = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(b":")
            hdr.setdefault(k.strip().lower(), []).append(v.strip())
        need = {b"upgrade": b"websocket", b"connection": b"Upgrade", b"sec-websocket-version": b"13",
                b"sec-websocket-protocol": b"mqtt"}
        for k, v in need.items():
            if hdr.get(k) != [v]:
                raise Fail("request header %s is %r, want %r" % (k.decode(), hdr.get(k), v))
        if len(hdr.get(b"host", [])) != 1:
            raise Fail("no Host header")
        key = hdr.get(b"sec-websocket-key", [b""])
        if len(key) != 1 or len(base64.b64decode(key[0], validate=True)) != 16:
            raise Fail("bad Sec-WebSocket-Key %r" % key)
        self.key = key[0]
        self.accept = base64.b64encode(hashlib.sha1(self.key + GUID).digest())
        self.path = parts[1].decode()
        return self.path.lstrip("/")

    def response(self, status=b"101 Switching Protocols", accept=True, proto=b"mqtt", extra=b"", upgrade=True,
                 connection=b"Upgrade"):
        r = b"HTTP/1.1 " + status + b"\r\n"
        if upgrade:
            r += b"Upgrade: websocket\r\n"
        if connection:
            r += b"Connection: " + connection + b"\r\n"
        if accept is True:
            r += b"Sec-WebSocket-Accept: " + self.accept + b"\r\n"
        elif accept:
            r += b"Sec-WebSocket-Accept: " + accept + b"\r\n"
        if proto:
            r += b"Sec-WebSocket-Protocol: " + proto + b"\r\n"
        return r + extra + b"\r\n"

    def client_frame(self):
        """(fin, opcode, payload) of the next client frame, or None at the end of the stream."""
        self.last_head = None
        h = self.read(2)
        if h is None:
            return None
        self.last_head = h
        if not h[1] & 0x80:
            raise Fail("unmasked client frame (section 5.1)")
        n = h[1] & 0x7F
        if n == 126:
            n = struct.unpack(">H", self.read(2))[0]
            if n < 126:
                raise Fail("non-minimal 16-bit length")
        elif n == 127:
            n = struct.unpack(">Q", self.read(8))[0]
            if n < 65536:
                raise Fail("non-minimal 64-bit length")
        if h[0] & 0x70:
            raise Fail("client set an RSV bit")
        mask = self.read(4)
        data = self.read(n) if n else b""
        if mask is None or data is None:
            raise Fail("client frame cut short")
        return h[0] >> 7, h[0] & 0x0F, bytes(c ^ mask[i % 4] for i, c in enumerate(data))

    def mqtt_packet(self, want_pongs=()):
        """Read client frames until one whole MQTT packet is in; pongs seen are checked."""
        pongs = list(want_pongs)
        data = b""
        while True:
            if len(data) >= 2:
                n, mul, i = 0, 1, 1
                while i < len(data):
                    n += (data[i] & 0x7F) * mul
                    mul *= 128
                    if not data[i] & 0x80:
                        break
                    i += 1
                if i < len(data) and len(data) >= i + 1 + n:
                    if len(data) != i + 1 + n:
                        raise Fail("bytes after the packet in the same frames")
                    return data, pongs
            f = self.client_frame()
            if f is None:
                raise Fail("client closed before sending a whole MQTT packet")
            fin, op, p = f
            if op == 0xA:
                if not pongs or pongs[0] != p:
                    raise Fail("unexpected pong %r (expected %r)" % (p, pongs[:1]))
                pongs.pop(0)
                continue
            if op != 2 or not fin:
                raise Fail("client frame opcode %d fin %d: MQTT goes in whole binary frames" % (op, fin))
            data += p

    def connect(self, connack=True):
        pkt, _ = self.mqtt_packet()
        if pkt[0] != 0x10:
            raise Fail("first MQTT packet is not CONNECT: %r" % pkt[:8])
        if connack:
            self.s.sendall(frame(2, CONNACK))

    def expect_close(self, code):
        """Exactly one close frame from the client, with `code` (None: empty), then the end."""
        try:
            f = self.client_frame()
        except Fail as e:
            if self.cut_close_ok and str(e) == "client frame cut short" and self.partial_close_ok():
                return
            raise
        if f is None and self.cut_close_ok:
            return
        if f is None:
            raise Fail("no close frame from the client (expected %s)" % code)
        fin, op, p = f
        if op != 8:
            raise Fail("expected a close frame, got opcode %d %r" % (op, p[:16]))
        got = struct.unpack(">H", p[:2])[0] if len(p) >= 2 else None
        if got != code:
            raise Fail("close code %s, expected %s" % (got, code))
        self.expect_end()

    def partial_close_ok(self):
        """The bytes of a frame cut short began as a masked close frame would."""
        return self.last_head is not None and self.last_head[0] == 0x88 and self.last_head[1] & 0x80

    def expect_end(self):
        rest = self.read(1)
        if rest is not None:
            raise Fail("client sent more after it should have stopped: %r" % (rest + self.buf)[:32])

    def expect_nothing(self):
        """After a refused handshake: not one byte [no MQTT byte after a bad handshake]."""
        rest = self.read(1)
        if rest is not None:
            raise Fail("client sent %r after a refused handshake" % (rest + self.buf)[:32])


# Handshake faults: (response builder) -> the client must send nothing more.
def hs(c, **kw):
    c.s.sendall(c.response(**kw))
    c.expect_nothing()


HANDSHAKE = {
    "bad-accept": lambda c: hs(c, accept=base64.b64encode(hashlib.sha1(c.key + b"x").digest())),
    "no-accept": lambda c: hs(c, accept=None),
    "dup-accept": lambda c: hs(c, extra=b"Sec-WebSocket-Accept: " + c.accept + b"\r\n"),
    "no-proto": lambda c: hs(c, proto=None),
    "other-proto": lambda c: hs(c, proto=b"mqttv5"),
    "ext": lambda c: hs(c, extra=b"Sec-WebSocket-Extensions: permessage-deflate\r\n"),
    "status-403": lambda c: hs(c, status=b"403 Forbidden", accept=None, proto=None, upgrade=False, connection=None),
    "redirect-301": lambda c: hs(c, status=b"301 Moved Permanently", accept=None, proto=None, upgrade=False,
                                 connection=None, extra=b"Location: ws://127.0.0.1:1/elsewhere\r\n"),
    "no-upgrade": lambda c: hs(c, upgrade=False),
    "no-connection": lambda c: hs(c, connection=None),
    "fold": lambda c: hs(c, extra=b"X-Folded: a\r\n b\r\n"),
    "huge": lambda c: hs(c, extra=b"".join(b"X-Filler-%03d: %s\r\n" % (i, b"f" * 60) for i in range(40))),
}


def cut101(c):
    c.s.sendall(c.response()[:40])
    c.s.shutdown(socket.SHUT_WR)
    c.expect_nothing()


HANDSHAKE["cut101"] = cut101


def silent(c):
    """Never answer: the client's own deadline (its CONNACK timeout) must end it, sending nothing more."""
    c.expect_nothing()


HANDSHAKE["silent"] = silent


# Framing faults after CONNACK: (bytes to send, close code the client must answer with).
def fault(data, code):
    def run(c):
        c.s.sendall(c.response())
        c.connect()
        c.s.sendall(data)
        c.expect_close(code)
    return run


PUB = publish(b"a/b", b"xyz")
FAULTS = {
    "masked": fault(frame(2, PUB, mask=b"\x01\x02\x03\x04"), 1002),
    "rsv1": fault(frame(2, PUB, rsv=4), 1002),
    "rsv3": fault(frame(2, PUB, rsv=1), 1002),
    "op3": fault(frame(3, PUB), 1002),
    "op11": fault(frame(11, b""), 1002),
    "text": fault(frame(1, b"hello"), 1003),
    "ping126": fault(frame(9, b"p" * 126), 1002),
    "pingfrag": fault(frame(9, b"p", fin=False), 1002),
    "close1": fault(frame(8, b"\x03"), 1002),
    "closebad": fault(frame(8, struct.pack(">H", 1005)), 1002),
    "len64top": fault(frame(2, b"", length=(127, b"\x80" + b"\x00" * 6 + b"\x05")), 1002),
    "len16short": fault(frame(2, b"", length=(126, b"\x00\x05")) + PUB[:5], 1002),
    "len64short": fault(frame(2, b"", length=(127, struct.pack(">Q", 5))) + PUB[:5], 1002),
    "toobig": fault(frame(2, b"", length=(127, struct.pack(">Q", 1 << 32))), 1009),
    "toobig-max": fault(frame(2, b"", length=(127, struct.pack(">Q", 300000000))), 1009),
    "cont-first": fault(frame(0, PUB), 1002),
    "binary-in-frag": fault(frame(2, PUB[:3], fin=False) + frame(2, PUB[3:]), 1002),
}


def midframe(c):
    c.s.sendall(c.response())
    c.connect()
    c.s.sendall(frame(2, b"", length=(100, b"")) + b"0123456789")
    time.sleep(0.05)
    c.s.shutdown(socket.SHUT_WR)
    c.expect_end()  # the stream ended inside a frame: no close frame, nothing else


def tcpclose(c):
    c.s.sendall(c.response())
    c.connect()
    c.s.shutdown(socket.SHUT_WR)
    c.expect_end()


# Good scenarios: the client must take everything and end with the server's close.
def frag(c):
    c.s.sendall(c.response())
    c.connect()
    m1 = publish(b"a/frag", pattern(300))
    c.s.sendall(frame(2, m1[:100], fin=False) + frame(9, b"p1") + frame(0, m1[100:200], fin=False) +
                frame(10, b"x") + frame(0, m1[200:]))
    two = publish(b"a/two", b"\x00\r\n") + publish(b"a/three", b"")
    c.s.sendall(frame(2, two) + frame(2, b""))
    m4 = publish(b"a/bytes", b"\x00\x0d\x0a\xff")
    for i in range(len(m4)):
        c.s.sendall(frame(2, m4[i:i + 1]))
        time.sleep(0.001)
    f = c.client_frame()
    if f is None or f[1] != 10 or f[2] != b"p1":
        raise Fail("expected the pong for p1, got %r" % (f,))
    c.s.sendall(frame(8, struct.pack(">H", 1000) + b"bye"))
    c.expect_close(1000)


def split101(c):
    r = c.response()
    for i in range(len(r)):
        c.s.sendall(r[i:i + 1])
        time.sleep(0.002)
    c.connect(connack=False)
    for b in CONNACK:
        c.s.sendall(frame(2, bytes([b])))
        time.sleep(0.002)
    c.s.sendall(frame(8, struct.pack(">H", 1001)))
    c.expect_close(1001)


def joined(c):
    c.s.sendall(c.response() + frame(9, b"j"))
    pkt, pongs = c.mqtt_packet(want_pongs=[b"j"])
    if pkt[0] != 0x10:
        raise Fail("no CONNECT")
    if pongs:
        f = c.client_frame()
        if f is None or f[1] != 10 or f[2] != b"j":
            raise Fail("no pong for the ping joined to the 101: %r" % (f,))
    c.s.sendall(frame(2, CONNACK + publish(b"a/joined", b"j")) + frame(8, struct.pack(">H", 1000)))
    c.expect_close(1000)


def ping125(c):
    c.s.sendall(c.response())
    c.connect()
    p = bytes(range(125))
    c.s.sendall(frame(9, p))
    f = c.client_frame()
    if f is None or f[1] != 10 or f[2] != p:
        raise Fail("pong does not echo the 125-byte ping: %r" % (f,))
    c.s.sendall(frame(8, struct.pack(">H", 1000)))
    c.expect_close(1000)


def ok_with(**kw):
    def run(c):
        c.s.sendall(c.response(**kw))
        c.connect()
        c.s.sendall(frame(8, struct.pack(">H", 1000)))
        c.expect_close(1000)
    return run


def big(c):
    c.s.sendall(c.response())
    c.connect()
    c.s.sendall(frame(2, publish(b"a/big", pattern(70000))) + frame(2, publish(b"a/mid", pattern(200))))
    c.s.sendall(frame(8, struct.pack(">H", 4000)))
    c.expect_close(4000)


def close_empty(c):
    c.s.sendall(c.response())
    c.connect()
    c.s.sendall(frame(8, b""))
    c.expect_close(None)


def close_frag(c):
    c.s.sendall(c.response())
    c.connect()
    c.s.sendall(frame(2, PUB[:4], fin=False) + frame(8, struct.pack(">H", 1001)))
    c.expect_close(1001)


def ok_case(c):
    r = c.response().replace(b"Upgrade: websocket", b"UPGRADE: WebSocket").replace(b"Connection: Upgrade",
                                                                                     b"connection: upgrade")
    c.s.sendall(r)
    c.connect()
    c.s.sendall(frame(8, struct.pack(">H", 1000)))
    c.expect_close(1000)


GOOD = {
    "frag": frag, "split101": split101, "joined": joined, "ping125": ping125, "big": big,
    "connlist": ok_with(connection=b"keep-alive, Upgrade", extra=b"X-Other: 1\r\n"),
    "upgrade-case": ok_case,
    "noproto-allowed": ok_with(proto=None),
    "close-empty": close_empty, "close-frag": close_frag, "midframe": midframe, "tcpclose": tcpclose,
}


SCENARIOS = dict(HANDSHAKE)
SCENARIOS.update(FAULTS)
SCENARIOS.update(GOOD)


def serve(sock):
    c = Conn(sock)
    name = "?"
    try:
        name = c.request()
        scenario, _, query = name.partition("?")
        # "?cut-close-ok": the client's lower layer moves a few bytes per call, and its
        # last close frame (sent once, without waiting) may stop short.
        c.cut_close_ok = query == "cut-close-ok"
        if scenario not in SCENARIOS:
            raise Fail("unknown scenario")
        SCENARIOS[scenario](c)
        verdict(name)
    except Fail as e:
        verdict(name, str(e))
    except Exception as e:  # a broken pipe etc. is a failure of the scenario, never a pass
        verdict(name, "%s: %s" % (type(e).__name__, e))
    finally:
        sock.close()


def main():
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    print(ls.getsockname()[1], flush=True)
    while True:
        s, _ = ls.accept()
        threading.Thread(target=serve, args=(s,), daemon=True).start()


if __name__ == "__main__":
    main()
