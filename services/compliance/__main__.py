from services.common.service import run
from services.compliance.app import build

run(build)
