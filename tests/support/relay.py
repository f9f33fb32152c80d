"""Byte relays for the test servers written in Python (tests/tls/tls_front.py,
tests/cli/socks_hostile.py): what comes in on one socket goes out on the other."""
import socket
import threading


def pump(a, b):
    """Copy a to b until a ends or fails, then shut both down (the peer sees the end)."""
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def relay(a, b):
    """Both ways until either side ends: b to a in a thread, a to b here."""
    t = threading.Thread(target=pump, args=(b, a), daemon=True)
    t.start()
    pump(a, b)
    t.join(5)
