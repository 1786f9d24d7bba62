"""The notifier service: reminders by SMS and e-mail, one message per reason, escalation."""
