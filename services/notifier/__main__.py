from services.common.service import run
from services.notifier.app import build

run(build)
