"""The registry's use cases, one module per subdomain: agencies (`agencies`), their reorganisations
(`reorganisation`), QMS records from the API (`records`) and from the inbound gateway (`inbound`),
outside systems (`systems`) and the CSV import (`agency_import`). Each takes a `RegistryUnitOfWork`,
works through its stores and the pure rules of `domain`, emits its events and returns; none commits
(`Service.command` does, or the consumer for its batch)."""
