"""The daily evaluation: the notices due to each agency (deadlines coming, audits and reviews overdue,
lagging, compliant again), each once, ever."""
