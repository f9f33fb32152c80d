#!/usr/bin/python3
"""Run a firmware image of the mps2-an386 board in QEMU, its UART0 on this program's
stdin/stdout (or on --tty PATH), as bmqtt-at uses them: anything that drives bmqtt-at
drives the firmware by swapping the command.

  boards/mps2-an386/run.py [--image ELF] [--tty PATH] [--ca FILE] [--cert FILE] [--key FILE]
                           [--fwd PORT]... [--monitor SOCKET] [--icount] [-- firmware args]

The image defaults to $BOARD_IMAGE, else build/board/modem.elf. --ca/--cert/--key and the words
after -- are the firmware's command line (semihosting); it reads those files from this machine.

Network: QEMU's user network with restrict=on: the board (10.0.2.15) reaches nothing but
10.0.2.100:PORT for each forwarded PORT, which goes to 127.0.0.1:PORT on this machine (a socat per
connection). With no --fwd (and no $BOARD_FWD), every TCP port that is listening on this machine's
loopback (or on all addresses) when the board starts is forwarded. No DNS, nothing else leaves.

Input: when stdin (or the tty) ends, the runner says so on the board's UART1, with the number of
bytes it sent; the modem firmware exits once it has read them all and answered what they asked (as bmqtt-at does at the end of its input), and the
runner exits with the firmware's exit code. --monitor SOCKET: QEMU's monitor on a unix socket
(e.g. `system_reset`). Diagnostics of the firmware (semihosting) go to stderr.
"""
import ctypes
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import termios
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
QEMU = os.environ.get("QEMU", "qemu-system-arm")
HOST_BROKERS = "10.0.2.100"


def listening_ports():
    """TCP ports in LISTEN on 127.0.0.1, 0.0.0.0, :: or ::1 (/proc/net/tcp, tcp6)."""
    ports = set()
    for name, ok in (("/proc/net/tcp", ("0100007F", "00000000")),
                     ("/proc/net/tcp6", ("00000000000000000000000000000000", "00000000000000000000000001000000"))):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    w = line.split()
                    addr, port = w[1].split(":")
                    if w[3] == "0A" and addr in ok:
                        ports.add(int(port, 16))
        except OSError:
            pass
    return sorted(ports)


def die_with_parent():
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: QEMU never outlives us
    except (OSError, AttributeError):
        pass


def usage(code):
    sys.stderr.write(__doc__)
    sys.exit(code)


def main(argv):
    image = os.environ.get("BOARD_IMAGE", os.path.join(ROOT, "build", "board", "modem.elf"))
    tty_path, monitor, icount = None, None, False
    fwd = [int(p) for p in os.environ.get("BOARD_FWD", "").split()]
    fw_args = []
    i = 0
    while i < len(argv):
        a = argv[i]
        val = argv[i + 1] if i + 1 < len(argv) else None
        if a == "--":
            fw_args += argv[i + 1:]
            break
        if a in ("-h", "--help"):
            usage(0)
        if a == "--icount":
            icount = True
            i += 1
            continue
        if val is None:
            usage(2)
        if a == "--image":
            image = val
        elif a == "--tty":
            tty_path = val
        elif a in ("--ca", "--cert", "--key"):
            fw_args += [a, os.path.abspath(val)]
        elif a == "--fwd":
            fwd.append(int(val))
        elif a == "--monitor":
            monitor = val
        else:
            usage(2)
        i += 2
    if not os.path.exists(image):
        sys.stderr.write("run.py: %s not built (make board-images)\n" % image)
        return 2
    if not fwd:
        fwd = listening_ports()
    tmp = tempfile.mkdtemp(prefix="mps2-")
    ctl_path = os.path.join(tmp, "ctl")
    nic = "user,model=lan9118,restrict=on,net=10.0.2.0/24,host=10.0.2.2"
    for p in fwd:
        nic += ",guestfwd=tcp:%s:%d-cmd:socat - TCP:127.0.0.1:%d" % (HOST_BROKERS, p, p)
    sh = "enable=on,target=native,chardev=shlog,arg=" + os.path.basename(image)
    for a in fw_args:
        sh += ",arg=" + a.replace(",", ",,")
    cmd = [QEMU, "-M", "mps2-an386", "-display", "none", "-kernel", image,
           "-chardev", "stdio,id=u0,signal=off", "-serial", "chardev:u0",
           "-chardev", "socket,id=ctl,path=%s,server=on,wait=off" % ctl_path, "-serial", "chardev:ctl",
           "-chardev", "file,id=shlog,path=/proc/self/fd/2", "-semihosting-config", sh, "-nic", nic,
           "-monitor", ("unix:%s,server=on,wait=off" % monitor) if monitor else "none"]
    if icount:
        cmd += ["-icount", "shift=0"]
    if tty_path:
        in_fd = out_fd = os.open(tty_path, os.O_RDWR | os.O_NOCTTY)
    else:
        in_fd, out_fd = 0, 1
    saved = None
    if os.isatty(in_fd):
        saved = termios.tcgetattr(in_fd)
        tty.setraw(in_fd)
    qemu = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, preexec_fn=die_with_parent)
    try:
        return relay(qemu, in_fd, out_fd, ctl_path)
    finally:
        if qemu.poll() is None:
            qemu.kill()
            qemu.wait()
        if saved is not None and not tty_path:
            try:
                termios.tcsetattr(in_fd, termios.TCSADRAIN, saved)  # the user's terminal as it was
            except termios.error:
                pass
        shutil.rmtree(tmp, ignore_errors=True)


def relay(qemu, in_fd, out_fd, ctl_path):
    ctl = socket.socket(socket.AF_UNIX)
    end = time.time() + 10
    while True:
        try:
            ctl.connect(ctl_path)
            break
        except OSError:
            if qemu.poll() is not None or time.time() > end:
                return qemu.wait() if qemu.poll() is not None else 1
            time.sleep(0.01)
    q_in, q_out = qemu.stdin.fileno(), qemu.stdout.fileno()
    os.set_blocking(q_in, False)
    pending, eof, sent, told = b"", False, 0, False
    while True:
        rl = [q_out] + ([] if eof or len(pending) > 65536 else [in_fd])
        wl = [q_in] if pending else []
        r, w, _ = select.select(rl, wl, [], 1.0)
        if q_out in r:
            data = os.read(q_out, 65536)
            if not data:
                break  # QEMU ended
            while data:
                n = os.write(out_fd, data)
                data = data[n:]
        if in_fd in r:
            try:
                data = os.read(in_fd, 4096)
            except OSError:
                data = b""  # the other side of the tty is gone
            if data:
                pending += data
            else:
                eof = True
        if q_in in w and pending:
            try:
                n = os.write(q_in, pending)
                pending = pending[n:]
                sent += n
            except BlockingIOError:
                pass
        if eof and not pending and not told:
            # UART1: the input has ended after `sent` bytes. The socket stays open: QEMU takes a
            # byte at a time as the UART empties, and would drop the rest on seeing our end.
            ctl.sendall(b"E%d\n" % sent)
            told = True
    return qemu.wait()


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # QEMU stopped, the terminal restored
    sys.exit(main(sys.argv[1:]))
