"""The identity service's use cases: the only place that orchestrates its stores and its events."""
