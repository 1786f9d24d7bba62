from services.common.credentials import metadata as keys
from services.common.migrations import run_env
from services.common.outbox_inbox import metadata as messaging
from services.notifier.tables import metadata

run_env([metadata, messaging, keys])
