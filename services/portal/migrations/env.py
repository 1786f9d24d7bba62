from services.common.credentials import metadata as credentials
from services.common.migrations import run_env
from services.common.outbox_inbox import metadata as messaging

run_env([messaging, credentials])
