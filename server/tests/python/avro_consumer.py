"""Reads Castellan's event topic with Confluent's own Avro deserializer and schema-registry client.

Usage: avro_consumer.py BROKERS TOPIC REGISTRY_URL EXPECTED_ORG_NAME
Prints one JSON line per decoded event and exits 0 once an `org.added` event with the expected
name was seen; exits 1 if it was not seen within 60 seconds.
"""
import json
import sys
import time
import uuid

from confluent_kafka import DeserializingConsumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import StringDeserializer

brokers, topic, registry_url, expected = sys.argv[1:5]
registry = SchemaRegistryClient({"url": registry_url})
consumer = DeserializingConsumer(
    {
        "bootstrap.servers": brokers,
        "group.id": f"avro-check-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "key.deserializer": StringDeserializer("utf_8"),
        "value.deserializer": AvroDeserializer(registry),
    }
)
consumer.subscribe([topic])
deadline = time.time() + 60
found = False
while time.time() < deadline and not found:
    message = consumer.poll(1.0)
    if message is None:
        continue
    if message.error():
        raise SystemExit(f"kafka error: {message.error()}")
    event = message.value()
    print(json.dumps({"key": message.key(), "event_type": event["event_type"],
                      "payload": event["payload"], "position": event["position"]}, default=str))
    if event["event_type"] == "org.added" and event["payload"]["name"] == expected:
        found = True
consumer.close()
sys.exit(0 if found else 1)
