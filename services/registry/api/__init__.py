"""The registry's HTTP API, one router per resource: agencies and their search (`agencies`), their
reorganisations (`reorganisation`), the CSV import (`agency_import`), QMS records (`records`) and
outside systems (`systems`).

Every route needs an API key (services.common.auth): operators may do everything, an agency key reads
and writes its own agency only (any other code answers 404, as if it did not exist), a system key reads.
A route parses, runs a use case (`Service.command` for a change, `Service.query` for a read) and maps
its refusals to HTTP (`shared.refusals`).
"""
