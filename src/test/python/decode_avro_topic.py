#!/usr/bin/python3
"""Independent check of our Confluent-framed Avro: consume a topic with the Python Confluent client.

Reads values (keys are plain strings and are left alone) with isolation.level=read_committed, decodes
each through the schema registry with confluent_kafka.avro's MessageSerializer (the legacy API of
Debian's python3-confluent-kafka 1.7, backed by python3-avro) and prints one JSON object per record on
stdout: enums as their symbol names, timestamp-millis as epoch milliseconds. Stops after --expect
records or when --timeout seconds have passed, whichever comes first.

Run with /usr/bin/python3 (Debian's packages): python3-confluent-kafka python3-avro python3-requests.
"""
import argparse
import datetime
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError
from confluent_kafka.avro.cached_schema_registry_client import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer


def to_json_value(value):
    if isinstance(value, datetime.datetime):
        return int(round(value.timestamp() * 1000))
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError("cannot put %r into JSON" % (value,))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    serializer = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": "python-decode-" + args.topic,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
    })
    consumer.subscribe([args.topic])
    seen = 0
    deadline = time.monotonic() + args.timeout
    try:
        while seen < args.expect and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                print("kafka error: %s" % msg.error(), file=sys.stderr)
                return 2
            record = serializer.decode_message(msg.value(), is_key=False)
            print(json.dumps(record, default=to_json_value, sort_keys=True), flush=True)
            seen += 1
    finally:
        consumer.close()
    if seen < args.expect:
        print("only %d of %d records arrived within %.0f s" % (seen, args.expect, args.timeout), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
