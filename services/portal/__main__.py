from services.common.service import run
from services.portal.app import build

run(build)
