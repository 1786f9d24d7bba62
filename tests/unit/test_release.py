"""The release as files: the locks hold every dependency pyproject.toml declares, at a version it
allows, each with its hashes; the image and `make` install from them; the Docker build context keeps
out local state. (The built wheel, installed and run: tests/integration/test_installed_package.py.)"""

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from eiso_cli.processes import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
DEV = [Requirement(r) for r in PROJECT["optional-dependencies"]["dev"]]
LOCKS = {"runtime": ROOT / "requirements/runtime.txt", "dev": ROOT / "requirements/dev.txt"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?: ; (.+?))? \\$")
STALE = "the lock is stale: run `make lock` and commit requirements/"


def locked(path: Path) -> dict[str, tuple[Version, str | None]]:
    """name → (version, marker) of each pin, every one checked to carry its hashes."""
    pins: dict[str, tuple[Version, str | None]] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if found := PIN.match(line):
            assert lines[number + 1].strip().startswith("--hash=sha256:"), f"{found.group(1)} has no hash"
            pins[canonicalize_name(found.group(1))] = (Version(found.group(2)), found.group(3))
    assert pins, f"no pins in {path}"
    return pins


@pytest.mark.parametrize(("lock", "declared"), [("runtime", RUNTIME), ("dev", RUNTIME + DEV)])
def test_the_lock_holds_every_declared_dependency_at_an_allowed_version(
    lock: str, declared: list[Requirement]
) -> None:
    pins = locked(LOCKS[lock])
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements/{lock}.txt: {STALE}"
        version, marker = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} lock has {name}=={version}, pyproject.toml asks {requirement}: {STALE}"
        )
        assert marker is None, f"{name} is locked only where {marker}, but needed everywhere"


def test_the_runtime_lock_is_the_dev_lock_without_the_tools() -> None:
    runtime, dev = locked(LOCKS["runtime"]), locked(LOCKS["dev"])
    differ = {n: (v, dev.get(n)) for n, v in runtime.items() if dev.get(n) != v}
    assert differ == {}, f"the image would run other versions than the tests: {STALE}"
    assert "pytest" not in runtime and "uv" not in runtime


def test_make_and_the_image_install_from_the_locks_with_hashes_and_the_project_without_resolving() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install -q --require-hashes -r requirements/dev.txt" in makefile
    assert "pip install -q --no-deps -e ." in makefile
    assert "cat pyproject.toml $(LOCKS) | cksum" in makefile, "a new lock installs again"
    for lock in LOCKS.values():
        assert lock.read_text(encoding="utf-8").splitlines()[1].strip() == "#    make lock"
    dockerfile = (ROOT / "deploy/Dockerfile").read_text(encoding="utf-8")
    assert "pip install --require-hashes -r requirements/runtime.txt" in dockerfile
    assert "pip install --no-deps ." in dockerfile
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert "make lint" in ci and "pip install" not in ci, "CI installs through make, so from the lock"


def dockerignored(path: str) -> bool:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return any(fnmatch.fnmatch(path, p.removeprefix("**/")) for p in patterns)


def test_the_build_context_has_what_the_image_copies_and_no_local_state() -> None:
    dockerfile = (ROOT / "deploy/Dockerfile").read_text(encoding="utf-8")
    copied = [s for line in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M) for s in line.split()]
    assert copied, "the Dockerfile copies nothing?"
    for source in copied:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which does not exist"
        assert not dockerignored(source), f".dockerignore keeps {source} out of the image"
    for state in (".git", ".venv", ".cache", ".data", ".run", ".pytest_cache", "bench/results.json", "x.pyc"):
        assert dockerignored(state), f"{state} would be sent to the Docker daemon"


def test_the_declared_licence_ships_in_full() -> None:
    assert PROJECT["license"] == "Apache-2.0" and "LICENSE" in PROJECT["license-files"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text) > 11_000
