"""Independent MQTT peer for the integration tests (Eclipse Paho, Debian python3-paho-mqtt).

Run with /usr/bin/python3 (the Debian interpreter that has paho).

  peer.py count --port P --topic T --qos Q --id ID --expect N [--timeout S] [--linger S] [--ready FILE]
      Connects with clean session 0 and client id ID, subscribes, writes FILE
      (if given) once the SUBACK is in, and counts the messages. Reconnects by
      itself if the broker goes away. Stops LINGER seconds after the N-th
      distinct payload (to catch late duplicates) or after TIMEOUT seconds.
      Prints "received=R distinct=D duplicates=X" and exits 0 only when
      D == N and X == 0.
"""
import argparse
import sys
import threading
import time

import paho.mqtt.client as mqtt


def make_client(client_id, clean):
    try:  # paho 2.x
        return mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, client_id=client_id, clean_session=clean)
    except AttributeError:  # paho 1.x
        return mqtt.Client(client_id=client_id, clean_session=clean)


def count(args):
    seen = {}
    lock = threading.Lock()
    done_at = [None]
    received = [0]

    c = make_client(args.id, False)
    c.reconnect_delay_set(min_delay=1, max_delay=1)

    def on_connect(client, userdata, flags, rc):
        if rc == 0:
            client.subscribe(args.topic, args.qos)

    def on_subscribe(client, userdata, mid, granted):
        if args.ready:
            with open(args.ready, "w") as f:
                f.write("ready\n")

    def on_message(client, userdata, msg):
        with lock:
            received[0] += 1
            seen[msg.payload] = seen.get(msg.payload, 0) + 1
            if len(seen) >= args.expect and done_at[0] is None:
                done_at[0] = time.monotonic()

    c.on_connect = on_connect
    c.on_subscribe = on_subscribe
    c.on_message = on_message
    c.max_inflight_messages_set(100)
    c.max_queued_messages_set(0)
    c.connect("127.0.0.1", args.port, keepalive=30)
    c.loop_start()
    start = time.monotonic()
    while True:
        time.sleep(0.05)
        with lock:
            if done_at[0] is not None and time.monotonic() - done_at[0] >= args.linger:
                break
        if time.monotonic() - start > args.timeout:
            break
    c.disconnect()
    c.loop_stop()
    with lock:
        dups = sum(n - 1 for n in seen.values())
        print("received=%d distinct=%d duplicates=%d" % (received[0], len(seen), dups), flush=True)
        return 0 if len(seen) == args.expect and dups == 0 else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["count"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--qos", type=int, default=2)
    ap.add_argument("--id", required=True)
    ap.add_argument("--expect", type=int, required=True)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--linger", type=float, default=1.0)
    ap.add_argument("--ready")
    args = ap.parse_args()
    sys.exit(count(args))


if __name__ == "__main__":
    main()
