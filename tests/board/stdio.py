#!/usr/bin/python3
"""The modem firmware's runner on stdin/stdout, as bmqtt-at is used without --tty:

1. stdin and stdout a terminal (the slave of a pseudo-terminal): the runner puts it in raw
   mode, so CR LF reach the firmware as sent and its answers come back byte for byte (a
   terminal left in cooked mode would turn CR into LF and echo the input); the terminal's
   settings are restored at exit.
2. stdin a pipe that holds the commands before the board has booted, then ends: every
   command is answered, the firmware exits 0 once they are, stdout holds only its bytes.

Environment: BOARD (build/board).
"""
import os
import pty
import select
import subprocess
import sys
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BOARD = os.environ.get("BOARD", os.path.join(ROOT, "build", "board"))
RUN = [os.path.join(ROOT, "boards", "mps2-an386", "run.py"), "--image", os.path.join(BOARD, "modem.elf"),
       "--fwd", "1"]
failed = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else " " + detail))
    if not cond:
        failed.append(name)


def read_until(fd, want, timeout=15):
    buf, end = b"", time.time() + timeout
    while not buf.endswith(want) and time.time() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                buf += os.read(fd, 4096)
            except OSError:
                break
    return buf


def main():
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    p = subprocess.Popen(RUN, stdin=slave, stdout=slave, stderr=subprocess.PIPE)
    got = read_until(master, b"\r\nready\r\n")
    os.write(master, b"AT\r\nAT+CWMODE?\r\n")
    got += read_until(master, b"+CWMODE:1\r\n\r\nOK\r\n")
    want = b"\r\nready\r\nAT\r\n\r\nOK\r\nAT+CWMODE?\r\n+CWMODE:1\r\n\r\nOK\r\n"
    check("a terminal as stdin/stdout is used raw: the answers byte for byte", got == want, repr(got))
    p.terminate()
    p.wait()
    check("the terminal's settings restored", termios.tcgetattr(slave)[3] == before[3])
    os.close(master)
    os.close(slave)

    cmds = b"ATE0\r\nAT+CWMODE?\r\nAT+MQTTCONN?\r\n"
    p = subprocess.run(RUN, input=cmds, capture_output=True, timeout=60)
    want = b"\r\nready\r\nATE0\r\n\r\nOK\r\n+CWMODE:1\r\n\r\nOK\r\n+MQTTCONN:0,0,0,\"\",\"\",\"\",0\r\n\r\nOK\r\n"
    check("commands waiting in a pipe before boot: all answered, exit 0 at the end of input",
          p.returncode == 0 and p.stdout == want, "rc %d, %r" % (p.returncode, p.stdout))
    print("test-board stdio: %d failed" % len(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
