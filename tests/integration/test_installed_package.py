"""`pip install .` yields a working package: the wheel is built as a user's pip would build it, holds
every file the code reads at run time, and, installed into a fresh virtualenv and run from outside the
repository, serves each service's pages, runs its migrations and loads its rules and templates.
It is built from what deploy/Dockerfile copies, so the image gets the same. (About 15 s: the
build, then one process that migrates four SQLite databases.)"""

import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from eiso_cli.processes import ROOT

PACKAGES = ("contracts", "services", "eiso_cli")
#: In the repository, not in the package: the maintainers' tool that re-vendors the static assets.
NOT_SHIPPED = {"services/common/static/update.sh"}


def run(*command: str, cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def source_files() -> set[str]:
    """Every file of the three packages in the repository (caches aside)."""
    return {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    } - NOT_SHIPPED


def what_the_image_copies(into: Path) -> Path:
    """The files deploy/Dockerfile copies into the image, copied into `into`: the wheel is built from
    them (not in the repository, where setuptools would reuse a stale build/ folder)."""
    dockerfile = (ROOT / "deploy/Dockerfile").read_text(encoding="utf-8")
    for line in re.findall(r"^COPY (.+) \S+$", dockerfile, re.M):
        for source in line.split():
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, into / source, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                (into / source).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / source, into / source)
    return into


def test_the_wheel_installed_elsewhere_works(tmp_path: Path) -> None:
    source = what_the_image_copies(tmp_path / "source")
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(wheels), cwd=tmp_path)
    (wheel,) = wheels.glob("eiso-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(source_files() - names)
    assert missing == [], f"the wheel lacks files the code reads: {missing}"
    for expected in (
        "services/compliance/templates/board.html",
        "services/compliance/static/board.css",
        "services/common/static/eiso/swagger-ui-init.js",
        "services/registry/migrations/script.py.mako",
        "services/compliance/rules/rules.yaml",
        "contracts/py.typed",
        "eiso-0.1.0.dist-info/licenses/LICENSE",
    ):
        assert expected in names, expected
    assert not [n for n in names if n.startswith("tests/")], "the tests are no part of the package"

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "-q",
        "--no-deps",
        str(wheel),
        cwd=tmp_path,
    )
    site = Path(
        run(
            str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
        ).strip()
    )
    # The dependencies from the project's .venv, after the wheel: a plain path line, so the editable
    # install of eiso there (a .pth hook of its own) is not activated.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    work = tmp_path / "elsewhere"
    work.mkdir()
    check = work / "installed_check.py"
    shutil.copy(Path(__file__).with_name("installed_check.py"), check)
    out = run(str(python), "-I", str(check), str(site), str(work), cwd=work)
    assert "the installed package works" in out
