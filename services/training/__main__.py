from services.common.service import run
from services.training.app import build

run(build)
