"""What the training service does, one async function per command (from the API) or consumed event (from
`handlers`), by subdomain: courses, sessions, enrolments, attendance (to completion and certificates),
calendars, invitations and its copy of agencies.

Each runs inside the unit of work it is given (`store.TrainingUnitOfWork`), so a change and the events
it implies commit together, or not at all; none commits (a route's `Service.command` does, or the
consumer for its batch).
"""
