from services.common.service import run
from services.identity.app import build

run(build)
