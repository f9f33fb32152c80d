"""SOCKS5 servers that misbehave, for bmqtt-cli --proxy (tests/cli/mosq.sh).

Usage: socks_hostile.py PORTFILE MODE [BACKEND_PORT]

Listens on 127.0.0.1 (the port written to PORTFILE) and serves one connection:

  notsocks   answers the greeting as a web server would ("HTTP/1.1 400 ...") and closes.
  cut        accepts "no authentication", then closes in the middle of the CONNECT reply.
  silent     reads the greeting and never answers (the client must give up on its own).
  atyp       a success reply with an address type RFC 1928 does not define (9).
  unassigned a failure reply with a code RFC 1928 does not assign (0x42).
  name       a success reply whose bound address is a domain name (address type 3),
             then relays to BACKEND_PORT: the client must read exactly the reply's
             bytes and no more, so that MQTT starts where the reply ends.

Prints what it did; exits when the connection ends.
"""
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
from relay import relay  # noqa: E402

portfile, mode = sys.argv[1], sys.argv[2]
backend = int(sys.argv[3]) if len(sys.argv) > 3 else 0

ls = socket.socket()
ls.bind(('127.0.0.1', 0))
ls.listen(1)
with open(portfile + '.tmp', 'w') as f:
    f.write('%d\n' % ls.getsockname()[1])
os.rename(portfile + '.tmp', portfile)
c, _ = ls.accept()
c.settimeout(20)


def recv_exact(n):
    b = b''
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b


try:
    ver, n = recv_exact(2)
    recv_exact(n)
    if mode == 'notsocks':
        c.sendall(b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')
    elif mode == 'silent':
        c.recv(1)  # until the client closes
    else:
        c.sendall(b'\x05\x00')
        head = recv_exact(5)
        recv_exact(head[4] + 2)
        if mode == 'cut':
            c.sendall(b'\x05\x00\x00\x01\x7f')
        elif mode == 'atyp':
            c.sendall(b'\x05\x00\x00\x09\x00\x00\x00\x00\x00\x00')
        elif mode == 'unassigned':
            c.sendall(b'\x05\x42\x00\x01\x00\x00\x00\x00\x00\x00')
        elif mode == 'name':
            name = b'proxy.example'
            c.sendall(b'\x05\x00\x00\x03' + bytes([len(name)]) + name + b'\x07\x5b')
            relay(c, socket.create_connection(('127.0.0.1', backend)))
    print('served', mode)
except (EOFError, OSError) as e:
    print('ended', mode, e)
c.close()
