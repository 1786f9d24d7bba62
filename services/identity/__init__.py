"""The identity service: the one owner of credentials (docs/architecture.md, "Identity").

It issues and revokes API keys and publishes each change on `eiso.identity.credentials`, from which
every other service keeps the replica it checks callers against.
"""
