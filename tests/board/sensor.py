#!/usr/bin/python3
"""The sensor firmware (build/board/sensor.elf) in QEMU against a real mosquitto.

mosquitto_sub counts what the broker got from the board: one retained "online" per boot, the
readings in order (20.0, 20.1, ... a counter on the board), and the board's UART shows the
commands it received ("led on" / "led off", published with mosquitto_pub). Midway the board is
reset through QEMU's monitor (system_reset); it must boot again, announce itself again, obey a
command again and count its readings from 20.0. First, the board is pointed at 10.0.2.2, QEMU's
alias of the host, whose ports the runner does not forward: it must never connect (the user
network is restricted to the forwarded broker port).

Environment: BOARD (build/board).
"""
import os
import pwd
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BOARD = os.environ.get("BOARD", os.path.join(ROOT, "build", "board"))
RUN = os.path.join(ROOT, "boards", "mps2-an386", "run.py")
IMAGE = os.path.join(BOARD, "sensor.elf")
ID = "mps2-sensor-%d" % os.getpid()

passed, failed = 0, []


def check(name, cond, detail=""):
    global passed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failed.append(name)
        print("FAIL %s %s" % (name, detail))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Board:
    """The runner with the sensor image; its UART collected line by line."""

    def __init__(self, tmp, port, fwd, host):
        self.mon = os.path.join(tmp, "monitor-%d" % fwd)
        self.proc = subprocess.Popen([RUN, "--image", IMAGE, "--fwd", str(fwd), "--monitor", self.mon, "--",
                                      "--host", host, "--port", str(port), "--id", ID, "--period", "300"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out = b""
        threading.Thread(target=self.pump, daemon=True).start()

    def pump(self):
        while True:
            data = self.proc.stdout.read1(4096)
            if not data:
                return
            self.out += data

    def wait_for(self, text, count=1, timeout=20.0):
        end = time.time() + timeout
        while time.time() < end:
            if self.out.count(text.encode()) >= count:
                return True
            time.sleep(0.05)
        return False

    def monitor(self, cmd):
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.mon)
        s.sendall(cmd.encode() + b"\n")
        time.sleep(0.3)
        s.close()

    def stop(self):
        self.proc.terminate()  # the runner stops QEMU and removes its files
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        conf = os.path.join(tmp, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nuser %s\n"
                    "log_dest file %s/mosquitto.log\nlog_type all\n" % (port, pwd.getpwuid(os.getuid()).pw_name, tmp))
        broker = subprocess.Popen(["/usr/sbin/mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        board = None
        sub = None
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            # 1. The host's own address on the user network is not reachable (restrict=on).
            board = Board(tmp, port, free_port(), "10.0.2.2")
            time.sleep(3)
            with open(os.path.join(tmp, "mosquitto.log"), errors="replace") as f:
                log = f.read()
            check("restricted network: the board does not reach 10.0.2.2:%d (the host, not forwarded)" % port,
                  b"sensor: boot" in board.out and b"connected" not in board.out and ID not in log,
                  repr(board.out[-200:]))
            board.stop()

            # 2. The board through the forward of the broker's port.
            sub = subprocess.Popen(["mosquitto_sub", "-p", str(port), "-t", "devices/%s/#" % ID, "-v", "-q", "1"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(0.5)
            board = Board(tmp, port, port, "10.0.2.100")
            check("boots and connects to mosquitto at 10.0.2.100:%d" % port, board.wait_for("sensor: connected"),
                  repr(board.out[-300:]))
            check("publishes readings", board.wait_for("readings,", 5))
            subprocess.run(["mosquitto_pub", "-p", str(port), "-t", "devices/%s/cmd" % ID, "-q", "1", "-m", "led on"],
                           check=True, timeout=10)
            check("a command received: led on", board.wait_for("sensor: led on"))
            board.monitor("system_reset")
            check("reset through QEMU's monitor: boots again", board.wait_for("sensor: boot", 2))
            check("connects again after the reset", board.wait_for("sensor: connected", 2))
            n0 = board.out.count(b"readings,")
            check("readings again after the reset", board.wait_for("readings,", n0 + 5))
            subprocess.run(["mosquitto_pub", "-p", str(port), "-t", "devices/%s/cmd" % ID, "-q", "1", "-m", "led off"],
                           check=True, timeout=10)
            check("a command received after the reset: led off", board.wait_for("sensor: led off"))
            time.sleep(0.5)
            uart_log = board.out
            board.stop()
            board = None
            time.sleep(0.5)
            sub.terminate()
            out, _ = sub.communicate(timeout=10)
            lines = out.decode(errors="replace").splitlines()
            status = [l.split(" ", 1)[1] for l in lines if l.startswith("devices/%s/status " % ID)]
            temps = [l.split(" ", 1)[1] for l in lines if l.startswith("devices/%s/temperature " % ID)]
            # One "online" per boot (a will of "offline" may come between: the broker saw the first
            # connection end when the second took its client id over).
            check('one "online" per boot, counted by mosquitto_sub', status.count("online") == 2 and
                  set(status) <= {"online", "offline"}, repr(status))
            # Readings: 20.0 upwards by 0.1, once per boot.
            runs, ok = [], True
            for t in temps:
                v = round(float(t) * 10)
                if v == 200:
                    runs.append([v])
                elif runs and v == runs[-1][-1] + 1:
                    runs[-1].append(v)
                else:
                    ok = False
            check("readings in order, from 20.0 in each boot (%s)" % ", ".join("%d" % len(r) for r in runs),
                  ok and len(runs) == 2 and all(len(r) >= 5 for r in runs), repr(temps[:40]))
            m = re.findall(rb"stack (\d+) of (\d+) B", uart_log)
            print("     stack used at most %s of %s B (painted at reset)" % (max(int(x[0]) for x in m), m[-1][1].decode())
                  if m else "     (no stack figure)")
        finally:
            if board:
                board.stop()
            if sub and sub.poll() is None:
                sub.kill()
            broker.kill()
            broker.wait()
    print("test-board sensor: %d passed, %d failed%s" % (passed, len(failed), (": " + ", ".join(failed)) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
