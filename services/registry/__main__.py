from services.common.service import run
from services.registry.app import build

run(build)
