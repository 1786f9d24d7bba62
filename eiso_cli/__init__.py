"""The `eiso` command: runs the local stack (Kafka and the services as processes) and the demo."""
