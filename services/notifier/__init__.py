"""The notifier service (arrives with its issue)."""
