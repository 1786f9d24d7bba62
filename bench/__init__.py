"""`make bench`: throughput and latency of eiso measured against the raw Kafka client, on the machine
it runs on.

Each figure is taken in the same run as its baseline, on the same broker, so that the ratio holds on a
noisy machine. Results go to bench/results.json and a table on stdout. Never a timed test: the suite
asserts behaviour, this measures speed."""
