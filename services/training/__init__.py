"""The training service: courses, sessions, enrolment, attendance, certificates."""
