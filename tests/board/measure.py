#!/usr/bin/python3
"""Figures of the mps2-an386 firmware images (make board-size):

1. Flash and RAM of build/board/{sensor,modem}.elf by component, from their link maps (what
   --gc-sections kept): flash = .text (code and constants; merged strings counted once) + .data's initial values; RAM = .data
   + .bss; the stack region (16 KiB) is listed apart.
2. The worst-case stack, measured in the running firmware: the stack is painted at reset and
   the modem reports how deep it has been (AT+BOARD?) after TCP, TLS (schemes 2, 3, 5) and
   wss sessions; the sensor prints it on its UART after each reading.
3. Instructions on the emulated Cortex-M4 (QEMU -icount shift=0: 1 instruction = 1 ns of virtual
   time; the board counts the time its core was not asleep in WFI): per AT+MQTTPUB round (the
   command in on the UART to OK out, QoS 0 and QoS 1 against mosquitto), and per TLS connect
   (AT+MQTTCONN to +MQTTCONNECTED: TCP, the TLS 1.2 handshake with ECDHE-ECDSA P-256, CONNECT,
   CONNACK). Everything the core ran counts: UART, AT parser, client, lwIP, driver, and a pass
   of the superloop for each byte the UART receives (the CMSDK UART holds one byte; each wakes
   the loop). The loop's passes on the 1 ms tick while it waits are measured alone and taken out.

Environment: BOARD (build/board).
"""
import collections
import os
import pwd
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BOARD = os.environ.get("BOARD", os.path.join(ROOT, "build", "board"))
RUN = os.path.join(ROOT, "boards", "mps2-an386", "run.py")


def component(obj):
    if obj == "*fill*":
        return "alignment"
    if "/obj/bmqtt/src/" in obj:
        return "bmqtt (codec, client, AT)"
    if "/obj/bmqtt/port/" in obj:
        return "bmqtt ports (lwip_raw, TLS, WebSocket)"
    if "liblwip.a" in obj:
        return "lwIP 2.1.3"
    if "libmbedtls.a" in obj:
        return "mbedTLS 2.28"
    if "/obj/board/boards/" in obj:
        return "board (start-up, clock, UARTs, LAN9118 driver)"
    if "/obj/board/examples/" in obj:
        return "the image's main, net.c and its buffers (examples/mps2-an386)"
    if "/obj/bmqtt/examples/" in obj:
        return "sensor_app.c, superloop.c (examples)"
    return "C library (newlib-nano, libgcc)"


def map_sizes(path):
    """{component: [flash, ram]} and the stack size, from a GNU ld map."""
    sizes = collections.defaultdict(lambda: [0, 0])
    stack = 0
    items = []
    out = None
    pending = None
    with open(path) as f:
        lines = f.read().split("Linker script and memory map", 1)[1].splitlines()
    for line in lines:
        m = re.match(r"^(\.\w[\w.]*)\s", line)
        if m:
            out = m.group(1)
            if out == ".stack":
                stack = int(line.split()[2], 16)
            continue
        m = re.match(r"^ (\.\S+)\s*$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^ (\S+)?\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s*(\S.*)?$", line)
        if not m or out not in (".text", ".data", ".bss", ".ARM.exidx"):
            pending = None
            continue
        size = int(m.group(3), 16)
        obj = m.group(4) or ""
        if m.group(1) == "*fill*" or (pending is None and m.group(1) is None and not obj):
            obj = "*fill*"
        pending = None
        if size == 0 or obj.startswith("load address"):
            continue
        items.append((out, int(m.group(2), 16), size, component(obj)))
    # Merged string sections are listed at their size before merging and overlap: clip each
    # input section at the next one's address.
    items.sort(key=lambda it: (it[0], it[1]))
    for i, (out, addr, size, c) in enumerate(items):
        if i + 1 < len(items) and items[i + 1][0] == out:
            size = min(size, items[i + 1][1] - addr)
        if out in (".text", ".ARM.exidx"):
            sizes[c][0] += size
        elif out == ".data":
            sizes[c][0] += size
            sizes[c][1] += size
        else:
            sizes[c][1] += size
    return sizes, stack


def size_table(name):
    sizes, stack = map_sizes(os.path.join(BOARD, name + ".map"))
    print("\n%s.elf (arm-none-eabi-gcc -Os -mcpu=cortex-m4 -mthumb, --gc-sections)\n" % name)
    print("| component | flash (B) | RAM (B) |")
    print("| --- | ---: | ---: |")
    tf = tr = 0
    for c in sorted(sizes, key=lambda c: -sizes[c][0]):
        print("| %s | %d | %d |" % (c, sizes[c][0], sizes[c][1]))
        tf += sizes[c][0]
        tr += sizes[c][1]
    print("| total | %d | %d (+ %d of stack) |" % (tf, tr, stack))
    size = subprocess.run(["arm-none-eabi-size", os.path.join(BOARD, name + ".elf")], capture_output=True, text=True)
    text, data, bss = (int(x) for x in size.stdout.splitlines()[1].split()[:3])
    if text + data != tf or data + bss != tr + stack:
        print("measure: the map's sums differ from arm-none-eabi-size (%d+%d, %d+%d)" % (text, data, data, bss))
        return False
    return True


class Modem:
    def __init__(self, args):
        self.p = subprocess.Popen([RUN, "--image", os.path.join(BOARD, "modem.elf")] + args,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.buf = b""
        self.until(b"ready\r\n")

    def until(self, marker, timeout=60):
        end = time.time() + timeout
        while marker not in self.buf:
            if time.time() > end:
                raise RuntimeError("no %r in %r" % (marker, self.buf[-300:]))
            if not select.select([self.p.stdout], [], [], max(0.0, end - time.time()))[0]:
                continue
            chunk = self.p.stdout.read1(4096)
            if not chunk:
                raise RuntimeError("modem ended: %r" % self.buf[-300:])
            self.buf += chunk
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def cmd(self, line, marker=b"OK\r\n"):
        self.p.stdin.write(line.encode() + b"\r\n")
        self.p.stdin.flush()
        out = self.until(marker)
        if b"ERROR" in out:
            raise RuntimeError("%s: %r" % (line, out))
        return out

    def board(self):
        m = re.search(rb"\+BOARD:(\d+),(\d+),(\d+),(\d+)", self.cmd("AT+BOARD?"))
        return tuple(int(x) for x in m.groups())  # busy instructions, virtual ns, stack used, stack size

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def runtime(tmp):
    certs = os.path.join(tmp, "certs")
    subprocess.run(["sh", os.path.join(ROOT, "tests", "tls", "certs.sh"), certs], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    c = lambda n: os.path.join(certs, n)  # noqa: E731
    port, tls, req, wss = free_port(), free_port(), free_port(), free_port()
    conf = os.path.join(tmp, "m.conf")
    with open(conf, "w") as f:
        f.write("per_listener_settings false\nallow_anonymous true\npersistence false\nuser %s\n"
                "listener %d 127.0.0.1\nlistener %d 127.0.0.1\ncertfile %s\nkeyfile %s\n"
                "listener %d 127.0.0.1\ncertfile %s\nkeyfile %s\ncafile %s\nrequire_certificate true\n"
                "listener %d\nprotocol websockets\ncertfile %s\nkeyfile %s\n"
                % (pwd.getpwuid(os.getuid()).pw_name, port, tls, c("server.pem"), c("server.key"), req,
                   c("server.pem"), c("server.key"), c("ca.pem"), wss, c("server.pem"), c("server.key")))
    broker = subprocess.Popen(["/usr/sbin/mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    m = None
    try:
        m = Modem(["--icount", "--ca", c("ca.pem"), "--cert", c("client.pem"), "--key", c("client.key"),
                   "--fwd", str(port), "--fwd", str(tls), "--fwd", str(req), "--fwd", str(wss)])
        m.cmd("ATE0")
        m.cmd('AT+MQTTUSERCFG=0,1,"measure","","",0,0,""')
        m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,0' % port)
        # The loop's own cost while idle (a wake-up on each 1 ms tick): instructions per virtual ns.
        a, b = m.board(), (time.sleep(1), m.board())[1]
        idle = (b[0] - a[0]) / (b[1] - a[1])
        print("idle: %.0f instructions per ms (the superloop woken by each SysTick)" % (idle * 1e6))

        def net(b0, b1, n):
            """Instructions per operation between two AT+BOARD? answers, the idle wake-ups and one
            AT+BOARD? round taken out."""
            b2 = m.board()
            return ((b1[0] - b0[0]) - idle * (b1[1] - b0[1]) - ((b2[0] - b1[0]) - idle * (b2[1] - b1[1]))) / n

        rounds = 100
        for qos in (0, 1):
            m.cmd('AT+MQTTPUB=0,"m/t","x",%d,0' % qos)  # warm up (ARP, the first segment)
            b0 = m.board()
            for _ in range(rounds):
                m.cmd('AT+MQTTPUB=0,"m/t","0123456789",%d,0' % qos)
            print("instructions per AT+MQTTPUB round, QoS %d, 10-byte payload (%d rounds): %.0f"
                  % (qos, rounds, net(b0, m.board(), rounds)))
        m.cmd("AT+MQTTCLEAN=0")
        m.cmd('AT+MQTTUSERCFG=0,1,"measure","","",0,0,""')
        b0 = m.board()
        m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,0' % port)
        tcp_connect = net(b0, m.board(), 1)
        print("instructions per plain connect, scheme 1 (TCP, CONNECT, CONNACK): %.0f" % tcp_connect)
        m.cmd("AT+MQTTCLEAN=0")
        for scheme, p, name in ((2, tls, "no verification"), (3, tls, "server verified"),
                                (5, req, "server verified, client certificate")):
            m.cmd('AT+MQTTUSERCFG=0,%d,"measure","","",0,0,""' % scheme)
            b0 = m.board()
            m.cmd('AT+MQTTCONN=0,"localhost",%d,0,30000' % p)
            tls_connect = net(b0, m.board(), 1)
            print("instructions per TLS connect, scheme %d (%s): %.0f (the handshake: %.0f more than scheme 1)"
                  % (scheme, name, tls_connect, tls_connect - tcp_connect))
            m.cmd("AT+MQTTCLEAN=0")
        m.cmd('AT+MQTTUSERCFG=0,10,"measure","","",0,0,"/mqtt"')
        m.cmd('AT+MQTTCONN=0,"localhost",%d,0,30000' % wss)
        m.cmd('AT+MQTTSUB=0,"m/w",1')
        m.cmd('AT+MQTTPUB=0,"m/w","over-wss",1,0')
        m.cmd("AT+MQTTCLEAN=0")
        _, _, used, size = m.board()
        print("modem stack, worst case after TCP, TLS (2, 3, 5) and wss sessions: %d of %d B (painted at reset)"
              % (used, size))
        m.close()
        # The sensor: connected, readings sent and acknowledged, a command obeyed; its UART says
        # how deep its stack has been after each reading.
        sensor = subprocess.Popen([RUN, "--image", os.path.join(BOARD, "sensor.elf"), "--fwd", str(port), "--",
                                   "--port", str(port), "--period", "200"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            time.sleep(2)
            subprocess.run(["mosquitto_pub", "-p", str(port), "-t", "devices/mps2-sensor-01/cmd", "-q", "1",
                            "-m", "led on"], check=True, timeout=10)
            time.sleep(1)
        finally:
            sensor.terminate()
        uart = sensor.stdout.read()
        sensor.wait()
        st = re.findall(rb"stack (\d+) of (\d+) B", uart)
        if b"led on" not in uart or not st:
            raise RuntimeError("sensor: %r" % uart[-300:])
        print("sensor stack, worst case after %d readings and a command: %d of %s B (painted at reset)"
              % (len(st), max(int(x[0]) for x in st), st[-1][1].decode()))
    finally:
        if m and m.p.poll() is None:
            m.p.terminate()
            m.p.wait()
        broker.kill()
        broker.wait()


def main():
    ok = size_table("sensor") and size_table("modem")
    print()
    with tempfile.TemporaryDirectory() as tmp:
        runtime(tmp)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
