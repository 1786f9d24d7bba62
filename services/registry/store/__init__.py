"""The registry's tables (`tables`) and the queries on them, one store per kind of thing: agencies with
their versions and lineage (`agencies`), QMS records (`records`), outside systems (`systems`). Each store
reads and writes on the session it is given and returns typed objects, never rows."""
