"""Small Kafka questions the command line (and the tests) ask of a running broker."""

import os

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.common.kafka import deleted_events, partitions_of


def kafka_bootstrap() -> str:
    """The local broker `deploy/kafka/kafka.sh` starts (EISO_KAFKA_PORT, default 9092)."""
    return f"127.0.0.1:{os.environ.get('EISO_KAFKA_PORT', '9092')}"


async def partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """Every partition of `topic`."""
    return await partitions_of(consumer, [topic])


async def caught_up(bootstrap: str, group: str, topics: list[str]) -> bool:
    """Whether consumer group `group` has committed up to the end of every partition of `topics`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        found = [tp for topic in topics for tp in await partitions(consumer, topic)]
        ends = await consumer.end_offsets(found)
        return all(
            committed.get(tp) is not None and committed[tp].offset >= ends[tp] for tp in found if ends[tp]
        )
    finally:
        await consumer.stop()
        await admin.close()


async def lost_events(bootstrap: str, topics: list[str]) -> dict[str, int]:
    """The topics among `topics` whose first events the broker has deleted, and how many offsets."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return await deleted_events(consumer, topics)
    finally:
        await consumer.stop()
