#!/usr/bin/python3
"""A TLS front for the resumption tests: accepts TLS on a loopback port, says
for each connection whether the handshake resumed a session, and relays the
bytes to a plain MQTT listener (mosquitto's).

    tls_front.py PORTFILE LOGFILE CERT KEY BACKEND_PORT [--no-tickets] [--no-session-cache]
                 [--drop-first-after S] [--restart-after-first]

Writes the port it listens on to PORTFILE. One line per connection to LOGFILE:
"<n> <TLSv1.2|TLSv1.3> <resumed|full> sni=<name>". --no-tickets: the server
issues no RFC 5077 ticket (TLS 1.2 resumes by session id, TLS 1.3 not at all).
--no-session-cache: every connection meets a new TLS context, so a session id
offered is never found (Python's ssl cannot turn OpenSSL's cache off, and a
cached session outlives its connection for as long as the thread takes to free it).
--drop-first-after S: close the first connection after S seconds (a lost link
for a client that reconnects). --restart-after-first: later connections meet a
new TLS context (new ticket keys, empty session cache), as after a restart.
"""
import os
import socket
import ssl
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
from relay import pump  # noqa: E402

portfile, logfile, cert, key, backend = sys.argv[1:6]
opts = sys.argv[6:]
drop_after = None
if '--drop-first-after' in opts:
    drop_after = float(opts[opts.index('--drop-first-after') + 1])

seen_sni = {}


def on_sni(sock, name, _ctx):
    seen_sni[id(sock)] = name


def make_ctx():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    c.load_cert_chain(cert, key)
    c.minimum_version = ssl.TLSVersion.TLSv1_2
    if '--no-tickets' in opts:
        c.options |= ssl.OP_NO_TICKET
    c.sni_callback = on_sni
    return c


ctxs = [make_ctx()]

lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(('127.0.0.1', 0))
lsock.listen(16)
lock = threading.Lock()
count = [0]


def serve(raw):
    ctx = make_ctx() if '--no-session-cache' in opts else ctxs[-1]
    try:
        tls = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError) as e:
        with lock, open(logfile, 'a') as f:
            f.write('handshake-failed %s\n' % e)
        raw.close()
        return
    with lock:
        count[0] += 1
        n = count[0]
        with open(logfile, 'a') as f:
            f.write('%d %s %s sni=%s\n' % (n, tls.version(), 'resumed' if tls.session_reused else 'full',
                                           seen_sni.get(id(tls), '-')))
        if n == 1 and '--restart-after-first' in opts:
            ctxs.append(make_ctx())
    up = socket.create_connection(('127.0.0.1', int(backend)))
    if n == 1 and drop_after is not None:
        threading.Timer(drop_after, lambda: pump_close(tls, up)).start()
    t = threading.Thread(target=pump, args=(up, tls), daemon=True)
    t.start()
    pump(tls, up)
    t.join(5)
    tls.close()
    up.close()


def pump_close(a, b):
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


with open(portfile + '.tmp', 'w') as f:
    f.write('%d\n' % lsock.getsockname()[1])
os.rename(portfile + '.tmp', portfile)
while True:
    c, _ = lsock.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
