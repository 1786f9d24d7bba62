"""Scoring: the rules (data), the scores made from the records and training each agency has, with
their evidence, and the lineage that lets a successor count its predecessors' records."""
