from services.common.credentials import metadata as keys
from services.common.migrations import run_env
from services.common.outbox_inbox import metadata as messaging

# Each subdomain's tables join compliance's one `metadata` as they are imported: all of them, here.
from services.compliance.board import tables as _board  # noqa: F401
from services.compliance.evaluation import tables as _evaluation  # noqa: F401
from services.compliance.inspections import tables as _inspections  # noqa: F401
from services.compliance.scoring import tables as _scoring  # noqa: F401
from services.compliance.tables import metadata

run_env([metadata, messaging, keys])
