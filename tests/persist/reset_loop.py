#!/usr/bin/python3
"""Reset loops against a private mosquitto: a device whose retained memory is a
MAP_SHARED file is killed with SIGKILL at random instants and started again.

Outgoing: the device publishes numbered QoS 1 and QoS 2 messages with clean
session 0; a mosquitto_sub at QoS 2 must see every QoS 2 message a run reported
published exactly once (and no QoS 2 message twice), every reported QoS 1
message at least once.

Incoming: a paho publisher sends numbered QoS 2 messages; the device appends
each delivered one to a file; at the end the file holds each number exactly once.

Deep sleep: the example of examples/common/sleepy_device.c wakes again and again,
every other wake killed; every reading a wake reported published must arrive.

bmqtt-cli --session-file: a pub killed with messages unacknowledged resends them when started
again; a sub killed at random prints each QoS 2 message once (its stdout appended to a file).

  reset_loop.py --device build/persist_device --sleepy build/sleepy_posix --cli build/bmqtt-cli
                --kills 100 [--seed N] [--only out|in|sleepy|cli]
"""
import argparse
import collections
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import paho.mqtt.client as mqtt


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, secs=10):
    end = time.time() + secs
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def start_broker(d):
    port = free_port()
    conf = os.path.join(d, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                "max_queued_messages 0\nmax_inflight_messages 20\n")
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    proc = subprocess.Popen([exe, "-c", conf], stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "broker.log"), "w"))
    if not wait_port(port):
        sys.exit("reset_loop: mosquitto did not start")
    return proc, port


def run_killed(cmd, rng, lo, hi, log):
    """Start cmd, SIGKILL it after a random pause; 'ok' if it was killed or finished cleanly."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
    time.sleep(rng.uniform(lo, hi))
    p.send_signal(signal.SIGKILL)
    rc = p.wait()
    return rc in (0, -signal.SIGKILL)


def outgoing(dev, port, d, kills, rng):
    state, log, got = (os.path.join(d, n) for n in ("out.state", "out.log", "out.sub"))
    errlog = open(os.path.join(d, "out.err"), "w")
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "2", "-v",
                            "-i", "persist-watch", "-t", "persist/out/#"], stdout=open(got, "w"))
    time.sleep(0.5)
    for i in range(kills):
        if not run_killed([dev, "out", state, str(port), "persist-dev-out", f"r{i}", "100000", log], rng, 0.003, 0.12, errlog):
            return f"outgoing: run {i} failed (see {d}/out.err)"
    final = subprocess.run([dev, "out", state, str(port), "persist-dev-out", "final", "20", log], stderr=errlog, timeout=120)
    if final.returncode != 0:
        return f"outgoing: the last run exited {final.returncode}"
    time.sleep(1.5)
    sub.terminate()
    sub.wait()
    seen = collections.Counter()
    for line in open(got):
        t, _, m = line.strip().partition(" ")
        seen[(t[-1], m)] += 1
    reported = [tuple(l.split()) for l in open(log) if l.strip()]
    q1 = [m for q, m in reported if q == "1"]
    q2 = [m for q, m in reported if q == "2"]
    lost1 = [m for m in q1 if seen[("1", m)] < 1]
    bad2 = [m for m in q2 if seen[("2", m)] != 1]
    twice2 = [m for (q, m), n in seen.items() if q == "2" and n > 1]
    resumed = sum(1 for l in open(os.path.join(d, "out.err")) if "resume: ok" in l)
    print(f"outgoing: {kills} kills, {resumed} runs resumed a session; {len(q1)} QoS 1 and {len(q2)} QoS 2 "
          f"messages reported published; QoS 1 lost {len(lost1)}, QoS 1 duplicates "
          f"{sum(n - 1 for (q, m), n in seen.items() if q == '1' and n > 1)}; QoS 2 not exactly once {len(bad2)}, "
          f"QoS 2 twice {len(twice2)}")
    if not q1 or not q2:
        return "outgoing: no message reported (the device never got going)"
    if lost1 or bad2 or twice2:
        return f"outgoing: lost QoS 1 {lost1[:5]}, QoS 2 not once {bad2[:5]}, QoS 2 twice {twice2[:5]}"
    return None


def incoming(dev, port, d, kills, rng):
    state, got = os.path.join(d, "in.state"), os.path.join(d, "in.file")
    errlog = open(os.path.join(d, "in.err"), "w")
    total = kills * 10
    # The first run subscribes (the broker keeps the subscription in the device's session).
    first = subprocess.Popen([dev, "in", state, str(port), "persist-dev-in", got, str(total)], stdout=subprocess.DEVNULL, stderr=errlog)
    time.sleep(0.5)
    first.send_signal(signal.SIGKILL)
    first.wait()
    pub = mqtt.Client(client_id="persist-pub", clean_session=True)
    pub.connect("127.0.0.1", port)
    pub.loop_start()

    def publish():
        last = None
        for k in range(1, total + 1):
            last = pub.publish("persist/in", str(k), qos=2)
            time.sleep(0.002)
        last.wait_for_publish()

    t = threading.Thread(target=publish)
    t.start()
    for i in range(kills):
        if not run_killed([dev, "in", state, str(port), "persist-dev-in", got, str(total)], rng, 0.003, 0.12, errlog):
            return f"incoming: run {i} failed (see {d}/in.err)"
    t.join()
    pub.loop_stop()
    pub.disconnect()
    final = subprocess.run([dev, "in", state, str(port), "persist-dev-in", got, str(total)], stderr=errlog, timeout=120)
    if final.returncode != 0:
        return f"incoming: the last run exited {final.returncode}"
    lines = [l.strip() for l in open(got) if l.strip()]
    count = collections.Counter(lines)
    missing = [k for k in range(1, total + 1) if count[str(k)] == 0]
    twice = [m for m, n in count.items() if n > 1]
    print(f"incoming: {kills} kills, {total} QoS 2 messages; the file holds {len(lines)} lines, "
          f"{len(missing)} missing, {len(twice)} twice")
    if missing or twice or len(lines) != total:
        return f"incoming: missing {missing[:10]}, twice {twice[:10]}"
    return None


def sleepy(dev, port, d, wakes, rng):
    """The deep-sleep example: every other wake is killed at a random instant."""
    state, log, got = (os.path.join(d, n) for n in ("sleepy.state", "sleepy.log", "sleepy.sub"))
    errlog = open(os.path.join(d, "sleepy.err"), "w")
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-v",
                            "-t", "sleepy-1/reading"], stdout=open(got, "w"))
    time.sleep(0.5)
    clean = 0
    for i in range(wakes):
        cmd = [dev, state, str(port), "sleepy-1", log]
        if i % 2:
            if not run_killed(cmd, rng, 0.001, 0.04, errlog):
                return f"sleepy: wake {i} failed"
        else:
            r = subprocess.run(cmd, stderr=errlog, timeout=60)
            if r.returncode != 0:
                return f"sleepy: wake {i} exited {r.returncode}"
            clean += 1
    r = subprocess.run([dev, state, str(port), "sleepy-1", log], stderr=errlog, timeout=60)
    if r.returncode != 0:
        return f"sleepy: the last wake exited {r.returncode}"
    time.sleep(1)
    sub.terminate()
    sub.wait()
    seen = collections.Counter(l.split()[1] for l in open(got) if len(l.split()) == 3)
    reported = [l.strip() for l in open(log) if l.strip()]
    lost = [n for n in reported if seen[n] == 0]
    print(f"sleepy: {wakes + 1} wakes ({wakes // 2} killed), {len(reported)} readings reported published, "
          f"{len(set(reported))} distinct, {len(lost)} lost")
    if lost or len(reported) < clean:
        return f"sleepy: lost readings {lost[:10]}"
    return None


def fake_broker():
    """A broker that accepts one connection, answers CONNECT with CONNACK and then
    acknowledges nothing: the messages stay in flight. Returns (port, thread, stats)."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    stats = {"publish": 0}

    def serve():
        conn, _ = srv.accept()
        buf = b""
        acked = False
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                break
            if not data:
                break
            buf += data
            while len(buf) >= 2:
                n, mul, i = 0, 1, 1
                while i < len(buf) and buf[i] & 0x80:
                    n += (buf[i] & 0x7F) * mul; mul *= 128; i += 1
                if i >= len(buf):
                    break
                n += buf[i] * mul
                if len(buf) < i + 1 + n:
                    break
                t = buf[0] >> 4
                buf = buf[i + 1 + n:]
                if t == 1 and not acked:
                    conn.sendall(b"\x20\x02\x00\x00")
                    acked = True
                elif t == 3:
                    stats["publish"] += 1
        conn.close()
        srv.close()

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    return srv.getsockname()[1], th, stats


def cli_pub(cli, port, d, qos):
    """bmqtt-cli pub --session-file: killed with 5 messages unacknowledged, started again
    against mosquitto, it resends them before its own message."""
    state = os.path.join(d, f"cli-pub-q{qos}.session")
    topic = f"persist/cli/q{qos}"
    fport, th, stats = fake_broker()
    p = subprocess.Popen([cli, "pub", "-h", "127.0.0.1", "-p", str(fport), "-c", "-i", f"cli-pub-{qos}",
                          "--session-file", state, "-q", str(qos), "-t", topic, "-m", "hello", "--repeat", "5"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.time() + 10
    while stats["publish"] < 5 and time.time() < end:
        time.sleep(0.02)
    p.send_signal(signal.SIGKILL)
    p.wait()
    if stats["publish"] != 5:
        return f"cli pub q{qos}: the broker that never acks saw {stats['publish']} PUBLISH, not 5"
    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "2", "-t", topic,
                            "-C", "6", "-W", "15"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    r = subprocess.run([cli, "pub", "-h", "127.0.0.1", "-p", str(port), "-c", "-i", f"cli-pub-{qos}",
                        "--session-file", state, "-q", str(qos), "-t", topic, "-m", "next"], timeout=30)
    out, _ = sub.communicate(timeout=30)
    lines = out.split()
    print(f"cli pub q{qos}: killed with 5 messages unacknowledged; started again: exit {r.returncode}, "
          f"mosquitto_sub got {lines}")
    if r.returncode != 0 or lines != ["hello"] * 5 + ["next"]:
        return f"cli pub q{qos}: expected 5 hello then next"
    return None


def cli_sub(cli, port, d, kills, rng):
    """bmqtt-cli sub --session-file, stdout appended to a file, killed at random instants
    while a publisher sends numbered QoS 2 messages: each number printed exactly once."""
    state, got = os.path.join(d, "cli-sub.session"), os.path.join(d, "cli-sub.out")
    errlog = open(os.path.join(d, "cli-sub.err"), "w")
    total = kills * 10
    cmd = [cli, "sub", "-h", "127.0.0.1", "-p", str(port), "-c", "-i", "cli-sub-1", "--session-file", state,
           "-q", "2", "-t", "persist/clisub"]
    out = open(got, "ab")
    first = subprocess.Popen(cmd, stdout=out, stderr=errlog)
    time.sleep(0.5)
    first.send_signal(signal.SIGKILL)
    first.wait()
    pub = mqtt.Client(client_id="persist-cli-pub", clean_session=True)
    pub.connect("127.0.0.1", port)
    pub.loop_start()

    def publish():
        last = None
        for k in range(1, total + 1):
            last = pub.publish("persist/clisub", str(k), qos=2)
            time.sleep(0.002)
        last.wait_for_publish()

    t = threading.Thread(target=publish)
    t.start()
    for i in range(kills):
        p = subprocess.Popen(cmd, stdout=out, stderr=errlog)
        time.sleep(rng.uniform(0.01, 0.15))
        p.send_signal(signal.SIGKILL)
        if p.wait() not in (0, -signal.SIGKILL):
            return f"cli sub: run {i} failed"
    t.join()
    pub.loop_stop()
    pub.disconnect()
    r = subprocess.run(cmd + ["-W", "3"], stdout=out, stderr=errlog, timeout=60)
    out.close()
    lines = [l.strip() for l in open(got) if l.strip()]
    count = collections.Counter(lines)
    missing = [k for k in range(1, total + 1) if count[str(k)] == 0]
    twice = [m for m, n in count.items() if n > 1]
    print(f"cli sub: {kills} kills, {total} QoS 2 messages; printed {len(lines)} lines, {len(missing)} missing, "
          f"{len(twice)} twice (last run exit {r.returncode})")
    if r.returncode not in (0, 27) or missing or twice:
        return f"cli sub: missing {missing[:10]}, twice {twice[:10]}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", required=True)
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--sleepy")
    ap.add_argument("--cli")
    ap.add_argument("--only", choices=["out", "in", "sleepy", "cli"])
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    print(f"reset_loop: seed {seed}")
    rng = random.Random(seed)
    d = tempfile.mkdtemp(prefix="bmqtt-persist-")
    broker, port = start_broker(d)
    errs = []
    try:
        if a.only in (None, "out"):
            e = outgoing(a.device, port, d, a.kills, rng)
            if e: errs.append(e)
        if a.only in (None, "in"):
            e = incoming(a.device, port, d, a.kills, rng)
            if e: errs.append(e)
        if a.sleepy and a.only in (None, "sleepy"):
            e = sleepy(a.sleepy, port, d, max(20, a.kills // 2), rng)
            if e: errs.append(e)
        if a.cli and a.only in (None, "cli"):
            for q in (1, 2):
                e = cli_pub(a.cli, port, d, q)
                if e: errs.append(e)
            e = cli_sub(a.cli, port, d, max(20, a.kills // 2), rng)
            if e: errs.append(e)
    finally:
        broker.terminate()
        broker.wait()
    if errs:
        print("reset_loop: FAIL: " + "; ".join(errs) + f" (kept {d})")
        sys.exit(1)
    shutil.rmtree(d)
    print("reset_loop: OK")


if __name__ == "__main__":
    main()
