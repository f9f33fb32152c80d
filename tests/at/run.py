#!/usr/bin/python3
"""Transcript tests of bmqtt-at: the program on a pseudo-terminal (it sets raw mode
itself), a real mosquitto started here (TCP and TLS listeners, certificates made by
openssl), mosquitto_sub/mosquitto_pub as the peer on the broker's side.

Every answer is compared byte for byte. Espressif's examples (esp-at's
docs/en/AT_Command_Examples/MQTT_AT_Examples.rst) are replayed with the broker's
address in place of 192.168.3.102.

Environment: AT_BIN (build/bmqtt-at), AT_DRIVER (build/at_host_driver).
"""
import os
import pty
import pwd
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import termios
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
AT_BIN = os.environ.get("AT_BIN", os.path.join(ROOT, "build", "bmqtt-at"))
AT_DRIVER = os.environ.get("AT_DRIVER", os.path.join(ROOT, "build", "at_host_driver"))
MOSQUITTO = "/usr/sbin/mosquitto"

passed = 0
failed = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_listen(port, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Broker:
    def __init__(self, tmp, lines):
        self.tmp = tmp
        self.conf = os.path.join(tmp, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write("per_listener_settings false\nallow_anonymous true\npersistence false\n")
            # As root, mosquitto would switch to the 'mosquitto' user and could not read our files.
            f.write("user %s\n" % pwd.getpwuid(os.getuid()).pw_name)
            f.write("log_dest file %s/mosquitto.log\nlog_type all\n" % tmp)
            f.write("\n".join(lines) + "\n")
        self.proc = None

    def start(self, ports):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for p in ports:
            if not wait_listen(p):
                raise RuntimeError("mosquitto did not listen on %d" % p)

    def kill(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


class Modem:
    """bmqtt-at on a pseudo-terminal; we hold the master side, as a host MCU holds the UART."""

    def __init__(self, extra=()):
        self.master, slave = pty.openpty()
        tty.setraw(self.master)
        name = os.ttyname(slave)
        self.proc = subprocess.Popen([AT_BIN, "--tty", name] + list(extra), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.close(slave)
        self.buf = b""
        self.expect(b"\r\nready\r\n")

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        while data:
            n = os.write(self.master, data[:1024])
            data = data[n:]

    def read_some(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return False
        self.buf += chunk
        return True

    def expect(self, want, timeout=10.0):
        """The next bytes must be exactly @want."""
        end = time.time() + timeout
        while len(self.buf) < len(want) and time.time() < end:
            self.read_some(max(0.0, end - time.time()))
        got, self.buf = self.buf[:len(want)], self.buf[len(want):]
        if got != want:
            raise AssertionError("want %r\n got %r (then %r)" % (want, got, self.buf[:200]))

    def read_until(self, marker, timeout=10.0):
        end = time.time() + timeout
        while marker not in self.buf and time.time() < end:
            self.read_some(max(0.0, end - time.time()))
        i = self.buf.find(marker)
        if i < 0:
            raise AssertionError("no %r in %r" % (marker, self.buf[:300]))
        out, self.buf = self.buf[:i + len(marker)], self.buf[i + len(marker):]
        return out

    def quiet(self, timeout=0.3):
        """Nothing more may come."""
        self.read_some(timeout)
        if self.buf:
            raise AssertionError("unexpected %r" % self.buf[:300])

    def cmd(self, line, want, timeout=10.0):
        self.send(line + "\r\n")
        self.expect(want if isinstance(want, bytes) else want.encode(), timeout)

    def subrecv(self, topic, timeout=10.0):
        """One +MQTTSUBRECV, read by its length: (fragment bytes)."""
        head = b'+MQTTSUBRECV:0,"' + topic.encode() + b'",'
        self.expect(head, timeout)
        n = self.read_until(b",", timeout)[:-1]
        size = int(n)
        end = time.time() + timeout
        while len(self.buf) < size + 2 and time.time() < end:
            self.read_some(max(0.0, end - time.time()))
        data, tail, self.buf = self.buf[:size], self.buf[size:size + 2], self.buf[size + 2:]
        if tail != b"\r\n" or len(data) != size:
            raise AssertionError("bad +MQTTSUBRECV tail %r" % tail)
        return data

    def close(self):
        os.close(self.master)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        out = self.proc.stdout.read()
        err = self.proc.stderr.read()
        if rc != 0 or out:
            raise AssertionError("bmqtt-at exit %d, stdout %r, stderr %r" % (rc, out[:200], err[:400]))


MAIN_LOG = None  # the log of the broker sub_start's subscribers use
_sub_n = 0


def sub_start(port, topic, count, extra=()):
    """mosquitto_sub in the background, returned once the broker has its SUBSCRIBE (from its log)."""
    global _sub_n
    _sub_n += 1
    cid = "at-test-sub-%d-%d" % (os.getpid(), _sub_n)
    p = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-i", cid, "-t", topic, "-C", str(count),
                          "-N", "-W", "20"] + list(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    end = time.time() + 10
    while time.time() < end:
        with open(MAIN_LOG, errors="replace") as f:
            if ("Received SUBSCRIBE from " + cid) in f.read():
                return p
        time.sleep(0.02)
    raise AssertionError("mosquitto_sub %s never subscribed" % cid)


def pub(port, topic, data=None, file=None, qos=1):
    args = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t", topic, "-q", str(qos)]
    args += ["-f", file] if file else ["-m", data]
    subprocess.run(args, check=True, timeout=10)


def raw_publisher(port, cid):
    """A peer connected to the broker at the socket level (CONNECT, CONNACK 0): it publishes with no delay."""
    s = socket.create_connection(("127.0.0.1", port), 5)
    body = b"\x00\x04MQTT\x04\x02\x00\x3c" + struct.pack(">H", len(cid)) + cid
    s.sendall(bytes([0x10, len(body)]) + body)
    ack = b""
    while len(ack) < 4:
        c = s.recv(4 - len(ack))
        if not c:
            raise AssertionError("broker closed the peer")
        ack += c
    assert ack == b"\x20\x02\x00\x00", ack
    return s


def publish0(topic, data):
    body = struct.pack(">H", len(topic)) + topic + data
    return bytes([0x30, len(body)]) + body


def test(name):
    def wrap(fn):
        def run(*a):
            global passed
            t0 = time.time()
            try:
                fn(*a)
                passed += 1
                print("ok   %s (%.1f s)" % (name, time.time() - t0))
            except Exception as e:  # noqa: BLE001 - report and go on
                failed.append(name)
                print("FAIL %s: %s" % (name, e))
        return run
    return wrap


JSON427 = ('{"headers": {"Accept": "application/json","Accept-Encoding": "gzip, deflate","Accept-Language": '
           '"en-US,en;q=0.9,zh-CN;q=0.8,zh;q=0.7","Content-Length": "0","Host": "httpbin.org","Origin": '
           '"http://httpbin.org","Referer": "http://httpbin.org/","User-Agent": "Mozilla/5.0 (X11; Linux x86_64) '
           'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.114 Safari/537.36","X-Amzn-Trace-Id": '
           '"Root=1-6150581e-1ad4bd5254b4bf5218070413"}}')


@test("Espressif example: MQTT over TCP, small data (subscriber and publisher)")
def t_example_small(port):
    m = Modem()
    m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
    m.cmd('AT+MQTTUSERCFG=0,1,"subscriber","espressif","123456789",0,0,""', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,1' % port, '+MQTTCONNECTED:0,1,"127.0.0.1","%d","",1\r\n\r\nOK\r\n' % port)
    m.cmd('AT+MQTTSUB=0,"topic",1', "\r\nOK\r\n")
    pub(port, "topic", "test")
    m.expect(b'+MQTTSUBRECV:0,"topic",4,test\r\n')
    m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
    m.quiet()
    # the publisher's side
    s = sub_start(port, "topic", 1)
    m.cmd('AT+MQTTUSERCFG=0,1,"publisher","espressif","123456789",0,0,""', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,1' % port, '+MQTTCONNECTED:0,1,"127.0.0.1","%d","",1\r\n\r\nOK\r\n' % port)
    m.cmd('AT+MQTTPUB=0,"topic","test",1,0', "\r\nOK\r\n")
    out, _ = s.communicate(timeout=15)
    assert out == b"test", out
    m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
    m.quiet()
    m.close()


@test("Espressif example: MQTT over TCP, large data (AT+MQTTPUBRAW, 427 bytes of JSON)")
def t_example_large(port):
    m = Modem()
    m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
    m.cmd('AT+MQTTUSERCFG=0,1,"publisher","espressif","123456789",0,0,""', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,1' % port, '+MQTTCONNECTED:0,1,"127.0.0.1","%d","",1\r\n\r\nOK\r\n' % port)
    assert len(JSON427) == 427
    s = sub_start(port, "topic", 1)
    m.cmd('AT+MQTTPUBRAW=0,"topic",427,0,0', "\r\nOK\r\n\r\n>")
    m.send(JSON427)
    m.expect(b"+MQTTPUB:OK\r\n")
    out, _ = s.communicate(timeout=15)
    assert out == JSON427.encode(), out[:80]
    m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
    # the subscriber's side: one +MQTTSUBRECV of 427 bytes, commas and quotes raw
    m.cmd('AT+MQTTUSERCFG=0,1,"subscriber","espressif","123456789",0,0,""', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,1' % port, '+MQTTCONNECTED:0,1,"127.0.0.1","%d","",1\r\n\r\nOK\r\n' % port)
    m.cmd('AT+MQTTSUB=0,"topic",1', "\r\nOK\r\n")
    pub(port, "topic", JSON427)
    m.expect(b'+MQTTSUBRECV:0,"topic",427,' + JSON427.encode() + b"\r\n")
    m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
    m.close()


@test("command reference examples: echo, queries, SYSLOG codes, Wi-Fi and SNTP commands")
def t_reference(port):
    m = Modem()
    m.cmd("AT", "AT\r\n\r\nOK\r\n")
    m.cmd("AT+CWMODE=1", "AT+CWMODE=1\r\n\r\nOK\r\n")
    m.cmd('AT+CWJAP="ssid","password"', 'AT+CWJAP="ssid","password"\r\nWIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n')
    m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
    m.cmd('AT+CIPSNTPCFG=1,8,"ntp1.aliyun.com","ntp2.aliyun.com"', "\r\nOK\r\n")
    m.send("AT+CIPSNTPTIME?\r\n")
    line = m.read_until(b"\r\nOK\r\n")  # no blank line before OK here (the firmware's own session)
    assert line.startswith(b"+CIPSNTPTIME:") and len(line) == len(b"+CIPSNTPTIME:Thu Aug  4 14:48:05 2021") + 6, line
    m.cmd("AT+MQTTCONN?", '+MQTTCONN:0,0,0,"","","",0\r\n\r\nOK\r\n')
    m.cmd("AT+SYSLOG=1", "\r\nOK\r\n")
    m.cmd('AT+MQTTPUB=0,"topic","test",1,0', "ERR CODE:0x010a6006\r\n\r\nERROR\r\n")
    m.cmd('AT+MQTTUSERCFG=0,1,"ESP32","espressif","1234567890",0,0,""', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONNCFG=0,120,0,"lwtt","lwtm",0,0', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,0' % port, '+MQTTCONNECTED:0,1,"127.0.0.1","%d","",0\r\n\r\nOK\r\n' % port)
    m.cmd("AT+MQTTCONN?", '+MQTTCONN:0,4,1,"127.0.0.1","%d","",0\r\n\r\nOK\r\n' % port)
    m.cmd('AT+MQTTSUB=0,"topic",1', "\r\nOK\r\n")
    m.cmd('AT+MQTTSUB=0,"topic2",0', "\r\nOK\r\n")
    m.cmd("AT+MQTTSUB?", '+MQTTSUB:0,6,"topic",1\r\n+MQTTSUB:0,6,"topic2",0\r\n\r\nOK\r\n')
    m.cmd('AT+MQTTUNSUB=0,"topic"', "\r\nOK\r\n")
    m.cmd('AT+MQTTUSERCFG=0,1,"x","","",0,0,""', "ERR CODE:0x010a6002\r\n\r\nERROR\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,0' % port, "ERR CODE:0x010a6004\r\n\r\nERROR\r\n")
    m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
    m.cmd("AT+MQTTCLEAN=0", "ERR CODE:0x010a6003\r\n\r\nERROR\r\n")
    # a refused TCP connection: ERROR and state 2 (a closed port)
    m.cmd('AT+MQTTUSERCFG=0,1,"x","","",0,0,""', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,0,3000' % free_port(), "\r\nERROR\r\n")
    m.cmd("AT+MQTTCONN?", '+MQTTCONN:0,2,1,"","","",0\r\n\r\nOK\r\n')
    m.cmd("AT+MQTTCONN=0,\"no-such-host.invalid\",1883,0", "ERR CODE:0x010a6055\r\n\r\nERROR\r\n")
    m.close()


@test("5,000-byte binary message both ways (PUBRAW out; several +MQTTSUBRECV in, reassembled)")
def t_binary(port, tmp):
    rnd = random.Random(5000)
    data = bytes(rnd.randrange(256) for _ in range(5000))
    path = os.path.join(tmp, "bin5000")
    with open(path, "wb") as f:
        f.write(data)
    m = Modem()
    m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
    m.cmd('AT+MQTTUSERCFG=0,1,"bin","","",0,0,""', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,0' % port, '+MQTTCONNECTED:0,1,"127.0.0.1","%d","",0\r\n\r\nOK\r\n' % port)
    s = sub_start(port, "bin/out", 1)
    m.cmd('AT+MQTTPUBRAW=0,"bin/out",5000,1,0', "\r\nOK\r\n\r\n>")
    m.send(data + b"AT\r\n")  # bytes after the length start the next command
    m.expect(b"\r\nbusy p...\r\n+MQTTPUB:OK\r\n")
    out, _ = s.communicate(timeout=15)
    assert out == data, "mosquitto_sub got %d bytes" % len(out)
    m.cmd('AT+MQTTSUB=0,"bin/in",1', "\r\nOK\r\n")
    pub(port, "bin/in", file=path)
    got, parts = b"", 0
    while len(got) < 5000:
        got += m.subrecv("bin/in")
        parts += 1
    assert got == data and parts >= 5, (len(got), parts)
    print("     5000 bytes in %d +MQTTSUBRECV parts" % parts)
    m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
    m.close()


@test("broker killed and restarted: +MQTTDISCONNECTED, reconnect=1 reconnects, re-subscribes, messages flow")
def t_restart(tmp):
    port = free_port()
    os.makedirs(os.path.join(tmp, "restart"), exist_ok=True)
    b = Broker(os.path.join(tmp, "restart"), ["listener %d 127.0.0.1" % port])
    b.start([port])
    m = Modem()
    try:
        m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
        m.cmd('AT+MQTTUSERCFG=0,1,"restart","","",0,0,""', "\r\nOK\r\n")
        m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,1' % port, '+MQTTCONNECTED:0,1,"127.0.0.1","%d","",1\r\n\r\nOK\r\n' % port)
        m.cmd('AT+MQTTSUB=0,"r/a",1', "\r\nOK\r\n")
        m.cmd('AT+MQTTSUB=0,"r/b",0', "\r\nOK\r\n")
        b.kill()
        m.expect(b"+MQTTDISCONNECTED:0\r\n")
        m.cmd("AT+MQTTCONN?", '+MQTTCONN:0,3,1,"127.0.0.1","%d","",1\r\n\r\nOK\r\n' % port)
        m.cmd('AT+MQTTPUB=0,"r/a","x",0,0', "\r\nERROR\r\n")
        time.sleep(1.5)
        log = os.path.join(tmp, "restart", "mosquitto.log")
        seen = os.path.getsize(log)
        b.start([port])
        peer = raw_publisher(port, b"restart-peer")  # connected before the modem, to publish at once
        m.expect(b'+MQTTCONNECTED:0,1,"127.0.0.1","%d","",1\r\n' % port, timeout=30)
        # the moment the host reads the URC its subscriptions must be on the wire: publish now
        peer.sendall(publish0(b"r/a", b"at-once-a") + publish0(b"r/b", b"at-once-b"))
        m.expect(b'+MQTTSUBRECV:0,"r/a",9,at-once-a\r\n+MQTTSUBRECV:0,"r/b",9,at-once-b\r\n')
        peer.close()
        with open(log, errors="replace") as f:  # the broker has both (its log: "<id> <qos> <filter>")
            f.seek(seen)
            new = f.read()
        assert "restart 1 r/a" in new and "restart 0 r/b" in new, new[-400:]
        pub(port, "r/a", "again-a")
        m.expect(b'+MQTTSUBRECV:0,"r/a",7,again-a\r\n')
        pub(port, "r/b", "again-b", qos=0)
        m.expect(b'+MQTTSUBRECV:0,"r/b",7,again-b\r\n')
        m.cmd("AT+MQTTSUB?", '+MQTTSUB:0,6,"r/a",1\r\n+MQTTSUB:0,6,"r/b",0\r\n\r\nOK\r\n')
        m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
        m.close()
    finally:
        b.kill()


@test("TLS: schemes 2 (no verification), 3 (verify server), 4 (client certificate), 5 (both), the same over wss "
      "(7-10); no client certificate and a wrong CA fail")
def t_tls(tmp):
    certs = os.path.join(tmp, "certs")
    subprocess.run(["sh", os.path.join(ROOT, "tests", "tls", "certs.sh"), certs], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p_tls, p_req, p_wss, p_wssreq = free_port(), free_port(), free_port(), free_port()
    d = os.path.join(tmp, "tlsbroker")
    os.makedirs(d, exist_ok=True)
    c = lambda n: os.path.join(certs, n)  # noqa: E731
    b = Broker(d, ["listener %d 127.0.0.1" % p_tls, "certfile " + c("server.pem"), "keyfile " + c("server.key"),
                   "listener %d 127.0.0.1" % p_req, "certfile " + c("server.pem"), "keyfile " + c("server.key"),
                   "cafile " + c("ca.pem"), "require_certificate true",
                   "listener %d" % p_wss, "protocol websockets", "certfile " + c("server.pem"),
                   "keyfile " + c("server.key"),
                   "listener %d" % p_wssreq, "protocol websockets", "certfile " + c("server.pem"),
                   "keyfile " + c("server.key"), "cafile " + c("ca.pem"), "require_certificate true"])
    b.start([p_tls, p_req, p_wss, p_wssreq])
    try:
        m = Modem(["--ca", c("ca.pem"), "--cert", c("client.pem"), "--key", c("client.key")])
        m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
        for scheme, port in ((2, p_tls), (3, p_tls), (4, p_req), (5, p_req),
                             (7, p_wss), (8, p_wss), (9, p_wssreq), (10, p_wssreq)):
            path = "/mqtt" if scheme >= 6 else ""
            m.cmd('AT+MQTTUSERCFG=0,%d,"tls%d","","",0,0,"%s"' % (scheme, scheme, path), "\r\nOK\r\n")
            m.cmd('AT+MQTTCONN=0,"localhost",%d,0' % port,
                  '+MQTTCONNECTED:0,%d,"localhost","%d","%s",0\r\n\r\nOK\r\n' % (scheme, port, path))
            m.cmd('AT+MQTTSUB=0,"tls/t",1', "\r\nOK\r\n")
            word = "s%d" % scheme
            m.cmd('AT+MQTTPUB=0,"tls/t","%s",1,0' % word,
                  '+MQTTSUBRECV:0,"tls/t",%d,%s\r\n\r\nOK\r\n' % (len(word), word))
            m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
        # scheme 2 against the listener that requires a client certificate: refused
        m.cmd('AT+MQTTUSERCFG=0,2,"nocert","","",0,0,""', "\r\nOK\r\n")
        m.cmd('AT+MQTTCONN=0,"localhost",%d,0,3000' % p_req, "\r\nERROR\r\n")
        m.close()
        # scheme 3 with a CA that signed nothing here: refused
        m = Modem(["--ca", c("other-ca.pem")])
        m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
        m.cmd('AT+MQTTUSERCFG=0,3,"badca","","",0,0,""', "\r\nOK\r\n")
        m.cmd('AT+MQTTCONN=0,"localhost",%d,0,3000' % p_tls, "\r\nERROR\r\n")
        m.close()
    finally:
        b.kill()


@test("TLS resumption: a second AT+MQTTCONN, and a reconnect=1 after the link drops, resume the session "
      "(a TLS front that reports it); a session from another server is refused and a full handshake follows")
def t_tls_resume(port, tmp):
    certs = os.path.join(tmp, "certs-resume")
    subprocess.run(["sh", os.path.join(ROOT, "tests", "tls", "certs.sh"), certs], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fronts = []

    def front(name, extra=()):
        pf, log = os.path.join(tmp, name + ".port"), os.path.join(tmp, name + ".log")
        fronts.append(subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "tests", "tls", "tls_front.py"), pf, log,
                                        os.path.join(certs, "server.pem"), os.path.join(certs, "server.key"),
                                        str(port)] + list(extra), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL))
        for _ in range(100):
            if os.path.exists(pf):
                break
            time.sleep(0.05)
        return int(open(pf).read()), log

    def seen(log, n, timeout=10.0):
        end = time.time() + timeout
        while time.time() < end:
            lines = open(log).read().split("\n") if os.path.exists(log) else []
            lines = [x for x in lines if x]
            if len(lines) >= n:
                return [x.split()[2] for x in lines[:n]]
            time.sleep(0.05)
        raise AssertionError("%s: fewer than %d connections: %r" % (log, n, open(log).read()))

    try:
        # Both fronts listen before the modem starts (the firmware's runner forwards the ports
        # listening then). The second one drops its first connection after 1 s.
        p1, log1 = front("front1")
        p2, log2 = front("front2", ["--drop-first-after", "1"])
        m = Modem()
        m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
        m.cmd('AT+MQTTUSERCFG=0,2,"resume1","","",0,0,""', "\r\nOK\r\n")
        for _ in range(2):
            m.cmd('AT+MQTTCONN=0,"localhost",%d,0' % p1, '+MQTTCONNECTED:0,2,"localhost","%d","",0\r\n\r\nOK\r\n' % p1)
            m.cmd('AT+MQTTPUB=0,"resume/t","x",1,0', "\r\nOK\r\n")
            m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
            m.cmd('AT+MQTTUSERCFG=0,2,"resume1","","",0,0,""', "\r\nOK\r\n")
        assert seen(log1, 2) == ["full", "resumed"], open(log1).read()
        # Another server (new ticket keys): the saved session is refused, a full handshake; its
        # first link drops after 1 s and reconnect=1 resumes the session just made.
        m.cmd('AT+MQTTCONN=0,"localhost",%d,1' % p2, '+MQTTCONNECTED:0,2,"localhost","%d","",1\r\n\r\nOK\r\n' % p2)
        m.expect(b"+MQTTDISCONNECTED:0\r\n", 10.0)
        m.expect(('+MQTTCONNECTED:0,2,"localhost","%d","",1\r\n' % p2).encode(), 15.0)
        assert seen(log2, 2) == ["full", "resumed"], open(log2).read()
        m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
        m.close()
    finally:
        for f in fronts:
            f.kill()
            f.wait()


@test("WebSocket: scheme 6 (ws, path /mqtt, and mqtt given without its /) to mosquitto's websockets listener")
def t_ws(port, ws_port):
    m = Modem()
    m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
    m.cmd('AT+MQTTUSERCFG=0,6,"ws","","",0,0,"/mqtt"', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,0' % ws_port,
          '+MQTTCONNECTED:0,6,"127.0.0.1","%d","/mqtt",0\r\n\r\nOK\r\n' % ws_port)
    m.cmd("AT+MQTTCONN?", '+MQTTCONN:0,4,6,"127.0.0.1","%d","/mqtt",0\r\n\r\nOK\r\n' % ws_port)
    m.cmd('AT+MQTTSUB=0,"ws/t",1', "\r\nOK\r\n")
    pub(port, "ws/t", "over-ws")
    m.expect(b'+MQTTSUBRECV:0,"ws/t",7,over-ws\r\n')
    s = sub_start(port, "ws/out", 1)
    m.cmd('AT+MQTTPUBRAW=0,"ws/out",5,1,0', "\r\nOK\r\n\r\n>")
    m.send(b"a,b\r\n")
    m.expect(b"+MQTTPUB:OK\r\n")
    out, _ = s.communicate(timeout=15)
    assert out == b"a,b\r\n", out
    m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
    # Espressif's example gives the path without its '/': the firmware shows (and asks for) "/mqtt"
    m.cmd('AT+MQTTUSERCFG=0,6,"ws2","","",0,0,"mqtt"', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,0' % ws_port,
          '+MQTTCONNECTED:0,6,"127.0.0.1","%d","/mqtt",0\r\n\r\nOK\r\n' % ws_port)
    m.cmd("AT+MQTTCONN?", '+MQTTCONN:0,4,6,"127.0.0.1","%d","/mqtt",0\r\n\r\nOK\r\n' % ws_port)
    m.cmd('AT+MQTTSUB=0,"ws/t2",1', "\r\nOK\r\n")
    pub(port, "ws/t2", "slash")
    m.expect(b'+MQTTSUBRECV:0,"ws/t2",5,slash\r\n')
    m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n")
    m.close()


@test("host driver in C (STM32 style: line reader, '>' prompt, length-aware +MQTTSUBRECV) over the pty")
def t_driver(port):
    master, slave = pty.openpty()
    tty.setraw(master)
    modem = subprocess.Popen([AT_BIN, "--tty", os.ttyname(slave)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(slave)
    drv = subprocess.run([AT_DRIVER, str(master), "127.0.0.1", str(port)], pass_fds=(master,),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    os.close(master)
    modem.wait(timeout=20)
    sys.stdout.write("".join("     " + l + "\n" for l in drv.stdout.decode(errors="replace").splitlines()))
    assert drv.returncode == 0, "driver exit %d" % drv.returncode
    assert modem.returncode == 0


@test("commands already waiting in a pipe at start: AT+MQTTCONN runs on the program's clock (5 runs)")
def t_pipe(port):
    for i in range(5):
        script = 'ATE0\r\nAT+MQTTUSERCFG=0,1,"pipe%d","","",0,0,""\r\nAT+MQTTCONN=0,"127.0.0.1",%d,0\r\n' % (i, port)
        r, w = os.pipe()
        os.write(w, script.encode())
        os.close(w)
        try:
            p = subprocess.run([AT_BIN], stdin=r, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        finally:
            os.close(r)
        want = (b'\r\nready\r\nATE0\r\n\r\nOK\r\n\r\nOK\r\n+MQTTCONNECTED:0,1,"127.0.0.1","%d","",0\r\n\r\nOK\r\n'
                % port)
        assert p.stdout == want and p.returncode == 0, (i, p.stdout, p.returncode, p.stderr[:300])


@test("a terminal as stdin/stdout is a UART: raw mode (no echo by the terminal, CR kept, ^C ^D are data), "
      "put back at exit")
def t_stdio_tty():
    master, slave = pty.openpty()  # left as a new terminal is: cooked (one termios for both ends)
    before = termios.tcgetattr(slave)
    assert before[3] & termios.ICANON and before[3] & termios.ECHO, before
    proc = subprocess.Popen([AT_BIN], stdin=slave, stdout=slave, stderr=subprocess.PIPE)
    m = Modem.__new__(Modem)  # the same reader over this master
    m.master, m.proc, m.buf = master, proc, b""
    try:
        m.expect(b"\r\nready\r\n")
        m.cmd("AT", "AT\r\n\r\nOK\r\n")
        m.cmd("AT\x03\x04\x1a\x7f\x15", "AT\x03\x04\x1a\x7f\x15\r\n\r\nERROR\r\n")  # ^C ^D ^Z DEL ^U: data
        m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
        m.cmd("AT+SYSLOG?", "+SYSLOG:0\r\n\r\nOK\r\n")
        m.quiet()
        now = termios.tcgetattr(slave)
        assert not (now[3] & (termios.ECHO | termios.ICANON | termios.ISIG)) and not (now[0] & termios.ICRNL), now
        assert not (now[1] & termios.OPOST), now
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        assert termios.tcgetattr(slave) == before, "terminal not put back"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(slave)
        os.close(master)


class ScriptedBroker:
    """A broker of our own for what mosquitto will not do: SUBACK 0x80 for every filter, and no
    PUBACK, PUBREC or UNSUBACK ever (the ACK timeouts). CONNACK 0 and PINGRESP as usual."""

    def __init__(self):
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(4)
        self.port = self.srv.getsockname()[1]
        self.seen = []
        threading.Thread(target=self.serve, daemon=True).start()

    @staticmethod
    def read_packet(c):
        head = c.recv(1)
        if not head:
            return None, None
        n, mult = 0, 1
        while True:
            b = c.recv(1)[0]
            n += (b & 0x7F) * mult
            mult *= 128
            if b < 0x80:
                break
        body = b""
        while len(body) < n:
            chunk = c.recv(n - len(body))
            if not chunk:
                return None, None
            body += chunk
        return head[0], body

    def serve(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            threading.Thread(target=self.client, args=(c,), daemon=True).start()

    def client(self, c):
        try:
            while True:
                first, body = self.read_packet(c)
                if first is None:
                    return
                self.seen.append(first >> 4)
                if first >> 4 == 1:
                    c.sendall(b"\x20\x02\x00\x00")
                elif first >> 4 == 8:
                    c.sendall(b"\x90\x03" + body[:2] + b"\x80")
                elif first >> 4 == 12:
                    c.sendall(b"\xd0\x00")
        except OSError:
            return


@test("scripted broker: SUBACK failure (0x80) is ERROR; PUBACK, PUBREC and UNSUBACK timeouts; busy meanwhile")
def t_scripted():
    b = ScriptedBroker()
    m = Modem()
    m.cmd("ATE0", "ATE0\r\n\r\nOK\r\n")
    m.cmd('AT+MQTTUSERCFG=0,1,"scripted","","",0,0,""', "\r\nOK\r\n")
    m.cmd('AT+MQTTCONN=0,"127.0.0.1",%d,0' % b.port, '+MQTTCONNECTED:0,1,"127.0.0.1","%d","",0\r\n\r\nOK\r\n' % b.port)
    m.cmd('AT+MQTTSUB=0,"denied",1', "\r\nERROR\r\n")
    m.cmd("AT+MQTTSUB?", "\r\nOK\r\n")  # a refused topic is not tracked
    t0 = time.time()
    m.send('AT+MQTTPUB=0,"t","x",1,0,3000\r\n')
    m.cmd("AT", "\r\nbusy p...\r\n")
    m.expect(b"\r\nERROR\r\n", timeout=6)
    assert 2.9 < time.time() - t0 < 4.5, time.time() - t0
    m.cmd('AT+MQTTPUBRAW=0,"t",2,2,0,3000', "\r\nOK\r\n\r\n>")
    t0 = time.time()
    m.send("ab")
    m.expect(b"+MQTTPUB:FAIL\r\n", timeout=6)
    assert 2.9 < time.time() - t0 < 4.5, time.time() - t0
    t0 = time.time()
    m.cmd('AT+MQTTUNSUB=0,"denied",3000', "\r\nERROR\r\n", timeout=6)
    assert 2.9 < time.time() - t0 < 4.5, time.time() - t0
    m.cmd("AT+MQTTCLEAN=0", "\r\nOK\r\n", timeout=10)
    m.close()
    assert b.seen.count(3) == 2 and 8 in b.seen and 10 in b.seen, b.seen


def main():
    for p in (AT_BIN, AT_DRIVER):
        if not os.access(p, os.X_OK):
            print("FAIL test-at: %s not built" % p)
            return 1
    with tempfile.TemporaryDirectory() as tmp:
        port, ws_port = free_port(), free_port()
        b = Broker(tmp, ["listener %d 127.0.0.1" % port, "listener %d" % ws_port, "protocol websockets"])
        b.start([port, ws_port])
        global MAIN_LOG
        MAIN_LOG = os.path.join(tmp, "mosquitto.log")
        try:
            t_example_small(port)
            t_example_large(port)
            t_reference(port)
            t_binary(port, tmp)
            t_ws(port, ws_port)
            t_driver(port)
            t_pipe(port)
            t_stdio_tty()
            t_restart(tmp)
            t_tls(tmp)
            t_tls_resume(port, tmp)
            t_scripted()
        finally:
            b.kill()
    print("test-at: %d passed, %d failed%s" % (passed, len(failed), (": " + ", ".join(failed)) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
