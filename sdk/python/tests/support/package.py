"""The package under test as a user gets it: `pip install` of sdk/python, offline, into a temporary directory that is
put first on sys.path (nothing global is touched; the directory goes when the test process ends)."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2]
INSTALL_COMMAND = ["-m", "pip", "install", "--no-index", "--no-cache-dir", "--disable-pip-version-check", "--quiet"]


def pip_install(source: Path, target: Path) -> None:
    """`pip install --no-index --target TARGET SOURCE`: no package index, so this works offline or fails."""
    done = subprocess.run([sys.executable, *INSTALL_COMMAND, "--target", str(target), str(source)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip install {source} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def install_package() -> Path:
    target = Path(tempfile.mkdtemp(prefix="ai-gateway-sdk-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    pip_install(PACKAGE_DIR, target)
    sys.path.insert(0, str(target))
    return target
