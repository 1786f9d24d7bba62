"""The notifier's use cases, one module per subdomain: messages queued from what it reads
(`messages`), the escalation ladder (`escalation`), sending (`dispatch`), delivery reports
(`callbacks`) and what was sent (`reports`). Each takes the unit of work it is given and never
commits."""
