from services.common.credentials import metadata as credentials
from services.common.migrations import run_env
from services.common.outbox_inbox import metadata as messaging
from services.identity.tables import metadata

run_env([metadata, messaging, credentials])
