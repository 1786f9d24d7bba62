"""The training service (arrives with its issue)."""
