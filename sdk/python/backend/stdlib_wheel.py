"""A PEP 517 build backend in the standard library alone, so `pip install ./sdk/python` works with no package index.

setuptools needs `wheel` (absent from a fresh venv and from pyenv's Python) and pip fetches build requirements from an
index; this backend has none. It packs every package under src/ with the [project] metadata of pyproject.toml into a
py3-none-any wheel (PEP 427), an sdist (PEP 517) or an editable wheel (PEP 660, a .pth file pointing at src/).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src"
# Fixed timestamps make the archives reproducible (zip cannot store dates before 1980).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
WHEEL_TAG = "py3-none-any"
ConfigSettings = Optional[dict[str, object]]


def read_project(text: str) -> dict[str, str]:
    """The [project] table's `key = "string"` entries: all this pyproject.toml uses, readable without tomllib (3.11+)."""
    project: dict[str, str] = {}
    table = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[([A-Za-z0-9_.-]+)\]", line)
        if header:
            table = header.group(1)
            continue
        if table != "project":
            continue
        entry = re.fullmatch(r'([A-Za-z0-9_-]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(#.*)?', line)
        if not entry:
            raise ValueError(f"pyproject.toml line {number}: [project] may hold only key = \"string\" entries here: {raw}")
        project[entry.group(1)] = re.sub(r'\\(["\\])', r"\1", entry.group(2))
    for key in ("name", "version"):
        if key not in project:
            raise ValueError(f"pyproject.toml: [project] needs {key}")
    return project


def _project() -> dict[str, str]:
    return read_project((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _dist_name(project: dict[str, str]) -> str:
    return re.sub(r"[-_.]+", "_", project["name"]).lower()


def _metadata(project: dict[str, str]) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    optional = (("description", "Summary"), ("requires-python", "Requires-Python"), ("license", "License"))
    lines += [f"{field}: {project[key]}" for key, field in optional if key in project]
    readme = project.get("readme")
    if readme is None:
        return "\n".join(lines) + "\n"
    lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + (ROOT / readme).read_text(encoding="utf-8")


def _package_files() -> list[tuple[str, bytes]]:
    """Every file of every package under src/, without bytecode, as (path in the wheel, content)."""
    files: list[tuple[str, bytes]] = []
    for init in sorted(SOURCE.glob("*/__init__.py")):
        for path in sorted(init.parent.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.append((path.relative_to(SOURCE).as_posix(), path.read_bytes()))
    if not files:
        raise ValueError(f"no package (a directory with __init__.py) under {SOURCE}")
    return files


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(wheel_directory: str, files: list[tuple[str, bytes]]) -> str:
    project = _project()
    dist = _dist_name(project)
    info = f"{dist}-{project['version']}.dist-info"
    wheel_meta = f"Wheel-Version: 1.0\nGenerator: stdlib_wheel\nRoot-Is-Purelib: true\nTag: {WHEEL_TAG}\n"
    entries = files + [(f"{info}/METADATA", _metadata(project).encode("utf-8")), (f"{info}/WHEEL", wheel_meta.encode("ascii"))]
    record = "\n".join([_record_line(name, data) for name, data in entries] + [f"{info}/RECORD,,"]) + "\n"
    entries.append((f"{info}/RECORD", record.encode("utf-8")))
    filename = f"{dist}-{project['version']}-{WHEEL_TAG}.whl"
    with zipfile.ZipFile(Path(wheel_directory) / filename, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            member = zipfile.ZipInfo(name, ZIP_DATE)
            member.external_attr = 0o644 << 16
            member.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(member, data)
    return filename


def build_wheel(wheel_directory: str, config_settings: ConfigSettings = None, metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, _package_files())


def build_editable(wheel_directory: str, config_settings: ConfigSettings = None, metadata_directory: Optional[str] = None) -> str:
    """PEP 660: a wheel whose .pth file puts src/ on sys.path, so edits take effect without reinstalling."""
    pth = f"{_dist_name(_project())}.pth"
    return _write_wheel(wheel_directory, [(pth, f"{SOURCE}\n".encode("utf-8"))])


def build_sdist(sdist_directory: str, config_settings: ConfigSettings = None) -> str:
    project = _project()
    base = f"{_dist_name(project)}-{project['version']}"
    members: list[tuple[str, bytes]] = [(f"{base}/PKG-INFO", _metadata(project).encode("utf-8"))]
    for name in ("pyproject.toml", project.get("readme", "")):
        if name:
            members.append((f"{base}/{name}", (ROOT / name).read_bytes()))
    members += [(f"{base}/src/{name}", data) for name, data in _package_files()]
    members += [(f"{base}/backend/{path.name}", path.read_bytes()) for path in sorted((ROOT / "backend").glob("*.py"))]
    filename = f"{base}.tar.gz"
    with tarfile.open(Path(sdist_directory) / filename, "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        for name, data in members:
            member = tarfile.TarInfo(name)
            member.size = len(data)
            member.mode = 0o644
            sdist.addfile(member, io.BytesIO(data))
    return filename
