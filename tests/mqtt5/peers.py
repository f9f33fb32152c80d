"""Independent MQTT 5.0 encoders as peers of bmqtt's decoder (run with /usr/bin/python3).

  peers.py capture --out DIR
      Runs mosquitto_pub, mosquitto_sub (-V 5, with -D properties) and a Paho
      (paho.mqtt, MQTTv5) client, each against tests/mqtt5/recorder.py, which
      writes every packet they send to DIR/<peer>-<conn>-<nn>-<TYPE>.raw. Also
      writes the packets only a server sends, their properties packed by Paho
      (paho.mqtt.properties), to DIR/paho_server-*.raw.
  peers.py check --dump BIN --dir DIR
      Decodes every capture of DIR with BIN (tests/mqtt5/mqtt5_dump.c) and
      compares each packet's fields with what the peer was told to send (the
      tables below, written from the command lines and the Paho calls).

The expectations come from the arguments given to the peers, never from
bmqtt's own output.
"""
import argparse
import glob
import os
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def h(s):
    return (s.encode() if isinstance(s, str) else s).hex()


def P(ident, value, prefix="p"):
    if isinstance(value, tuple):
        return "%s%d=%s:%s" % (prefix, ident, h(value[0]), h(value[1]))
    if isinstance(value, int):
        return "%s%d=%d" % (prefix, ident, value)
    return "%s%d=%s" % (prefix, ident, h(value))


# ---- the peers and what they are told to send ------------------------------------------

MOSQ_PUB = ["mosquitto_pub", "-V", "5", "-i", "mosq-pub", "-q", "1", "-r", "-t", "sensors/t1", "-m", "21.5",
            "-k", "30", "-x", "120", "-u", "user", "-P", "pass",
            "-D", "connect", "receive-maximum", "10",
            "-D", "connect", "maximum-packet-size", "4096",
            "-D", "connect", "topic-alias-maximum", "5",
            "-D", "connect", "request-problem-information", "1",
            "-D", "connect", "request-response-information", "1",
            "-D", "connect", "user-property", "ck", "cv",
            "-D", "publish", "content-type", "text/plain",
            "-D", "publish", "correlation-data", "corr-1",
            "-D", "publish", "message-expiry-interval", "60",
            "-D", "publish", "payload-format-indicator", "1",
            "-D", "publish", "response-topic", "reply/to",
            "-D", "publish", "topic-alias", "2",
            "-D", "publish", "user-property", "k1", "v1",
            "-D", "publish", "user-property", "k2", "v2",
            "-D", "disconnect", "session-expiry-interval", "0",
            "-D", "disconnect", "user-property", "dk", "dv",
            "--will-topic", "will/t", "--will-payload", "gone", "--will-qos", "1", "--will-retain",
            "-D", "will", "content-type", "text/plain",
            "-D", "will", "payload-format-indicator", "1",
            "-D", "will", "message-expiry-interval", "300",
            "-D", "will", "response-topic", "will/reply",
            "-D", "will", "correlation-data", "wc",
            "-D", "will", "user-property", "wk", "wv"]

MOSQ_SUB = ["mosquitto_sub", "-V", "5", "-i", "mosq-sub", "-c", "-x", "60", "-E", "-q", "2",
            "-t", "a/+", "-t", "$share/g/b/#", "-U", "old/#",
            "-D", "connect", "user-property", "ck", "cv",
            "-D", "connect", "receive-maximum", "25",
            "-D", "subscribe", "user-property", "sk", "sv",
            "-D", "unsubscribe", "user-property", "uk", "uv",
            "--will-topic", "will/s", "--will-payload", "",
            "-D", "will", "will-delay-interval", "10"]

# Each expected packet: its type, the fields that must appear on its line, and
# all of its properties (none other may appear).
EXPECT = {
    "mosquitto_pub": [
        ("CONNECT", ["client_id=" + h("mosq-pub"), "keepalive=30", "clean_start=1", "will_qos=1", "will_retain=1",
                     "will_topic=" + h("will/t"), "will_payload=" + h("gone"), "username=" + h("user"),
                     "password=" + h("pass")],
         {P(0x11, 120), P(0x21, 10), P(0x27, 4096), P(0x22, 5), P(0x17, 1), P(0x19, 1), P(0x26, ("ck", "cv")),
          P(0x03, "text/plain", "w"), P(0x01, 1, "w"), P(0x02, 300, "w"), P(0x08, "will/reply", "w"),
          P(0x09, "wc", "w"), P(0x26, ("wk", "wv"), "w")}),
        ("PUBLISH", ["qos=1", "retain=1", "dup=0", "topic=" + h("sensors/t1"), "payload=" + h("21.5")],
         {P(0x03, "text/plain"), P(0x09, "corr-1"), P(0x02, 60), P(0x01, 1), P(0x08, "reply/to"), P(0x23, 2),
          P(0x26, ("k1", "v1")), P(0x26, ("k2", "v2"))}),
        ("DISCONNECT", ["reason=0"], {P(0x11, 0), P(0x26, ("dk", "dv"))}),
    ],
    "mosquitto_sub": [
        ("CONNECT", ["client_id=" + h("mosq-sub"), "clean_start=0", "will_qos=0", "will_topic=" + h("will/s"),
                     "will_payload="],
         {P(0x11, 60), P(0x26, ("ck", "cv")), P(0x21, 25), P(0x18, 10, "w")}),
        ("SUBSCRIBE", ["filter=" + h("a/+"), "opts=2/0/0/0", "filter=" + h("$share/g/b/#")], {P(0x26, ("sk", "sv"))}),
        ("UNSUBSCRIBE", ["filter=" + h("old/#")], {P(0x26, ("uk", "uv"))}),
        ("DISCONNECT", ["reason=0"], set()),
    ],
    "paho_client": [
        ("CONNECT", ["client_id=" + h("paho5"), "keepalive=30", "clean_start=1", "will_qos=1", "will_retain=1",
                     "will_topic=" + h("will/p"), "will_payload=" + h("gone"), "username=" + h("user"),
                     "password=" + h("pass")],
         {P(0x11, 120), P(0x21, 20), P(0x27, 4096), P(0x22, 8), P(0x17, 0), P(0x19, 1), P(0x26, ("a", "1")),
          P(0x26, ("b", "2")), P(0x18, 5, "w"), P(0x01, 1, "w"), P(0x02, 300, "w"), P(0x03, "text/plain", "w"),
          P(0x08, "will/reply", "w"), P(0x09, b"\x01\x02", "w"), P(0x26, ("w", "x"), "w")}),
        ("PUBLISH", ["qos=1", "topic=" + h("p/t"), "payload=" + h('{"x":1}')],
         {P(0x01, 1), P(0x02, 60), P(0x23, 3), P(0x08, "r/t"), P(0x09, b"cd\x00"), P(0x26, ("k", "v")),
          P(0x26, ("k2", "\u00e9")), P(0x03, "application/json")}),
        ("PUBLISH", ["qos=2", "topic=", "payload=" + h("again")], {P(0x23, 3)}),
        ("PUBREL", ["reason=0"], set()),
        ("SUBSCRIBE", ["filter=" + h("a/+"), "opts=2/1/1/2", "filter=" + h("$share/g/b/#"), "opts=1/0/0/0"],
         {P(0x0B, 42), P(0x26, ("s", "t"))}),
        ("UNSUBSCRIBE", ["filter=" + h("a/+")], {P(0x26, ("u", "v"))}),
        ("DISCONNECT", ["reason=4"], {P(0x11, 0), P(0x1F, "bye"), P(0x26, ("d", "e"))}),
    ],
}

# Packets only a server sends, with properties packed by Paho: name -> (bytes builder, expected).
def paho_server_packets():
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    def vbi(n):
        out = bytearray()
        while True:
            b, n = n % 128, n // 128
            out.append(b | 0x80 if n else b)
            if not n:
                return bytes(out)

    def frame(b0, body):
        return bytes([b0]) + vbi(len(body)) + body

    ca = Properties(PacketTypes.CONNACK)
    ca.SessionExpiryInterval = 3600
    ca.ReceiveMaximum = 100
    ca.MaximumQoS = 1
    ca.RetainAvailable = 0
    ca.MaximumPacketSize = 65536
    ca.AssignedClientIdentifier = "auto-1"
    ca.TopicAliasMaximum = 10
    ca.ReasonString = "welcome"
    ca.UserProperty = [("srv", "paho")]
    ca.WildcardSubscriptionAvailable = 1
    ca.SubscriptionIdentifierAvailable = 1
    ca.SharedSubscriptionAvailable = 0
    ca.ServerKeepAlive = 45
    ca.ResponseInformation = "resp/"
    ca.ServerReference = "other:1883"
    ca.AuthenticationMethod = "SCRAM"
    ca.AuthenticationData = b"\x00\xff"
    pub = Properties(PacketTypes.PUBLISH)
    pub.TopicAlias = 7
    pub.SubscriptionIdentifier = [5, 300000]
    pub.UserProperty = [("a", "b"), ("a", "c")]
    sa = Properties(PacketTypes.SUBACK)
    sa.ReasonString = "partly"
    sa.UserProperty = [("x", "y")]
    dc = Properties(PacketTypes.DISCONNECT)
    dc.ServerReference = "backup:1883"
    dc.ReasonString = "moving"
    au = Properties(PacketTypes.AUTH)
    au.AuthenticationMethod = "SCRAM"
    au.AuthenticationData = b"challenge"
    return {
        "paho_server-connack": (frame(0x20, b"\x00\x00" + ca.pack()),
                                ("CONNACK", ["session_present=0", "reason=0"],
                                 {P(0x11, 3600), P(0x21, 100), P(0x24, 1), P(0x25, 0), P(0x27, 65536),
                                  P(0x12, "auto-1"), P(0x22, 10), P(0x1F, "welcome"), P(0x26, ("srv", "paho")),
                                  P(0x28, 1), P(0x29, 1), P(0x2A, 0), P(0x13, 45), P(0x1A, "resp/"),
                                  P(0x1C, "other:1883"), P(0x15, "SCRAM"), P(0x16, b"\x00\xff")})),
        "paho_server-publish": (frame(0x3B, b"\x00\x00" + b"\x12\x34" + pub.pack() + b"hi"),
                                ("PUBLISH", ["qos=1", "retain=1", "dup=1", "id=4660", "topic=", "payload=" + h("hi")],
                                 {P(0x23, 7), P(0x0B, 5), P(0x0B, 300000), P(0x26, ("a", "b")), P(0x26, ("a", "c"))})),
        "paho_server-suback": (frame(0x90, b"\x00\x09" + sa.pack() + b"\x00\x01\x02\x80\x97"),
                               ("SUBACK", ["id=9", "codes=0001028097"], {P(0x1F, "partly"), P(0x26, ("x", "y"))})),
        "paho_server-disconnect": (frame(0xE0, b"\x9c" + dc.pack()),
                                   ("DISCONNECT", ["reason=156"], {P(0x1C, "backup:1883"), P(0x1F, "moving")})),
        "paho_server-auth": (frame(0xF0, b"\x18" + au.pack()),
                             ("AUTH", ["reason=24"], {P(0x15, "SCRAM"), P(0x16, "challenge")})),
    }


# ---- capture -----------------------------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def with_recorder(out, name, run):
    port = free_port()
    ready = os.path.join(out, ".ready-" + name)
    rec = subprocess.Popen([sys.executable, os.path.join(HERE, "recorder.py"), "--port", str(port), "--out", out,
                            "--name", name, "--ready", ready])
    for _ in range(100):
        if os.path.exists(ready):
            break
        time.sleep(0.05)
    os.unlink(ready)
    try:
        run(port)
        rec.wait(timeout=20)
    finally:
        if rec.poll() is None:
            rec.kill()
            rec.wait()
    if rec.returncode != 0:
        raise SystemExit("recorder for %s exited %d" % (name, rec.returncode))


def run_paho(port):
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties
    from paho.mqtt.reasoncodes import ReasonCodes
    from paho.mqtt.subscribeoptions import SubscribeOptions

    try:  # paho 2.x
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, client_id="paho5", protocol=mqtt.MQTTv5)
    except AttributeError:  # paho 1.x (Debian 12)
        c = mqtt.Client(client_id="paho5", protocol=mqtt.MQTTv5)
    done = {"connect": threading.Event(), "sub": threading.Event(), "unsub": threading.Event()}
    c.on_connect = lambda *a: done["connect"].set()
    c.on_subscribe = lambda *a: done["sub"].set()
    c.on_unsubscribe = lambda *a: done["unsub"].set()
    cp = Properties(PacketTypes.CONNECT)
    cp.SessionExpiryInterval = 120
    cp.ReceiveMaximum = 20
    cp.MaximumPacketSize = 4096
    cp.TopicAliasMaximum = 8
    cp.RequestProblemInformation = 0
    cp.RequestResponseInformation = 1
    cp.UserProperty = [("a", "1"), ("b", "2")]
    wp = Properties(PacketTypes.WILLMESSAGE)
    wp.WillDelayInterval = 5
    wp.PayloadFormatIndicator = 1
    wp.MessageExpiryInterval = 300
    wp.ContentType = "text/plain"
    wp.ResponseTopic = "will/reply"
    wp.CorrelationData = b"\x01\x02"
    wp.UserProperty = [("w", "x")]
    c.will_set("will/p", "gone", qos=1, retain=True, properties=wp)
    c.username_pw_set("user", "pass")
    c.connect("127.0.0.1", port, keepalive=30, clean_start=True, properties=cp)
    c.loop_start()
    if not done["connect"].wait(10):
        raise SystemExit("paho: no CONNACK")
    pp = Properties(PacketTypes.PUBLISH)
    pp.PayloadFormatIndicator = 1
    pp.MessageExpiryInterval = 60
    pp.TopicAlias = 3
    pp.ResponseTopic = "r/t"
    pp.CorrelationData = b"cd\x00"
    pp.UserProperty = [("k", "v"), ("k2", "\u00e9")]
    pp.ContentType = "application/json"
    c.publish("p/t", '{"x":1}', qos=1, properties=pp).wait_for_publish(10)
    ap = Properties(PacketTypes.PUBLISH)
    ap.TopicAlias = 3
    c.publish("", "again", qos=2, properties=ap).wait_for_publish(10)
    sp = Properties(PacketTypes.SUBSCRIBE)
    sp.SubscriptionIdentifier = 42
    sp.UserProperty = [("s", "t")]
    c.subscribe([("a/+", SubscribeOptions(qos=2, noLocal=True, retainAsPublished=True, retainHandling=2)),
                 ("$share/g/b/#", SubscribeOptions(qos=1))], properties=sp)
    if not done["sub"].wait(10):
        raise SystemExit("paho: no SUBACK")
    up = Properties(PacketTypes.UNSUBSCRIBE)
    up.UserProperty = [("u", "v")]
    c.unsubscribe(["a/+"], properties=up)
    if not done["unsub"].wait(10):
        raise SystemExit("paho: no UNSUBACK")
    dp = Properties(PacketTypes.DISCONNECT)
    dp.SessionExpiryInterval = 0
    dp.ReasonString = "bye"
    dp.UserProperty = [("d", "e")]
    c.disconnect(reasoncode=ReasonCodes(PacketTypes.DISCONNECT, "Disconnect with will message"), properties=dp)
    c.loop_stop()


def capture(args):
    os.makedirs(args.out, exist_ok=True)
    for f in glob.glob(os.path.join(args.out, "*.raw")):
        os.unlink(f)
    for name, cmd in (("mosquitto_pub", MOSQ_PUB), ("mosquitto_sub", MOSQ_SUB)):
        def run(port, cmd=cmd):
            subprocess.run(cmd + ["-h", "127.0.0.1", "-p", str(port)], check=True, timeout=20)
        with_recorder(args.out, name, run)
    with_recorder(args.out, "paho_client", run_paho)
    for name, (raw, _) in paho_server_packets().items():
        with open(os.path.join(args.out, name + ".raw"), "wb") as f:
            f.write(raw)
    print("captured %d packets in %s" % (len(glob.glob(os.path.join(args.out, "*.raw"))), args.out))
    return 0


# ---- check -------------------------------------------------------------------------------

def dump(binary, side, files):
    out = subprocess.run([binary, side] + files, stdout=subprocess.PIPE, universal_newlines=True)
    lines = [l.split(": ", 1)[1].split() if ": " in l else ["error"] for l in out.stdout.splitlines()]
    if out.returncode != 0:
        print(out.stdout)
        raise SystemExit("mqtt5_dump failed on %s" % files)
    return lines


def compare(name, got, want):
    typ, fields, props = want
    bad = []
    if "type=" + typ not in got:
        bad.append("type: got %s, want %s" % (got[0], typ))
    pos = 0
    for f in fields:  # in order
        try:
            pos = got.index(f, pos) + 1
        except ValueError:
            bad.append("missing %s" % f)
    got_props = sorted(t for t in got if t[0] in "pw" and t[1].isdigit())
    if got_props != sorted(props):
        bad.append("properties: got %s, want %s" % (got_props, sorted(props)))
    for b in bad:
        print("%s %s: %s" % (name, typ, b))
    return not bad


def check(args):
    ok = True
    checked = 0
    for peer, packets in EXPECT.items():
        files = sorted(glob.glob(os.path.join(args.dir, peer + "-*.raw")))
        if len(files) != len(packets):
            print("%s: %d packets captured, %d expected: %s" % (peer, len(files), len(packets), files))
            ok = False
            continue
        for line, want in zip(dump(args.dump, "client", files), packets):
            ok &= compare(peer, line, want)
            checked += 1
    for name, (_, want) in paho_server_packets().items():
        path = os.path.join(args.dir, name + ".raw")
        if not os.path.exists(path):
            print("%s missing" % path)
            ok = False
            continue
        ok &= compare(name, dump(args.dump, "server", [path])[0], want)
        checked += 1
    print("peers: %s: %d packets from mosquitto_pub, mosquitto_sub and Paho decode to the fields they were given"
          % ("OK" if ok else "FAIL", checked))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd")
    c = sub.add_parser("capture")
    c.add_argument("--out", required=True)
    k = sub.add_parser("check")
    k.add_argument("--dump", required=True)
    k.add_argument("--dir", required=True)
    args = ap.parse_args()
    if args.cmd == "capture":
        return capture(args)
    if args.cmd == "check":
        return check(args)
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
