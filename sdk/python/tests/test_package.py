"""The package as pip installs it: offline, from the source folder or an sdist, typed (py.typed), with Python 3.9 syntax,
and its wheel well-formed (every file listed in RECORD with its hash)."""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib.metadata
import importlib.util
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path
from types import ModuleType

import ai_gateway

from .support.package import PACKAGE_DIR, pip_install


def load_backend() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stdlib_wheel", PACKAGE_DIR / "backend" / "stdlib_wheel.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class PackageTest(unittest.TestCase):
    def test_the_tests_run_against_the_installed_package_with_its_metadata_and_py_typed(self) -> None:
        installed = Path(ai_gateway.__file__).parent
        self.assertNotEqual(installed, PACKAGE_DIR / "src" / "ai_gateway")
        self.assertTrue((installed / "py.typed").is_file())
        self.assertEqual(importlib.metadata.version("ai-gateway-sdk"), load_backend().read_project((PACKAGE_DIR / "pyproject.toml").read_text())["version"])
        self.assertEqual(importlib.metadata.metadata("ai-gateway-sdk")["Requires-Python"], ">=3.9")
        self.assertEqual(importlib.metadata.requires("ai-gateway-sdk"), None)  # standard library only

    def test_every_module_is_python_3_9_syntax(self) -> None:
        files = sorted([*(PACKAGE_DIR / "src").rglob("*.py"), *(PACKAGE_DIR / "backend").rglob("*.py"), *(PACKAGE_DIR / "tests").rglob("*.py")])
        self.assertGreater(len(files), 10)
        for file in files:
            with self.subTest(file=file.name):
                tree = ast.parse(file.read_text(encoding="utf-8"), str(file), feature_version=(3, 9))
                # Without this import, annotations like `str | None` would be evaluated, and fail on 3.9.
                futures = [node for node in tree.body if isinstance(node, ast.ImportFrom) and node.module == "__future__"]
                if any(isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AnnAssign)) for node in ast.walk(tree)):
                    self.assertTrue(futures, f"{file} needs `from __future__ import annotations`")

    def test_the_wheel_lists_every_file_with_its_hash(self) -> None:
        backend = load_backend()
        with tempfile.TemporaryDirectory() as folder:
            name = backend.build_wheel(folder)
            self.assertEqual(name, "ai_gateway_sdk-0.1.0-py3-none-any.whl")
            with zipfile.ZipFile(Path(folder) / name) as wheel:
                names = set(wheel.namelist())
                record = wheel.read("ai_gateway_sdk-0.1.0.dist-info/RECORD").decode("utf-8").splitlines()
                listed = set()
                for line in record:
                    path, digest, size = line.rsplit(",", 2)
                    listed.add(path)
                    if path.endswith("RECORD"):
                        continue
                    data = wheel.read(path)
                    expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
                    self.assertEqual((digest, int(size)), (f"sha256={expected}", len(data)), path)
                self.assertEqual(listed, names)
                self.assertIn("ai_gateway/py.typed", names)
                self.assertFalse([n for n in names if "__pycache__" in n or n.endswith(".pyc")])

    def test_an_sdist_installs_offline_on_its_own(self) -> None:
        backend = load_backend()
        with tempfile.TemporaryDirectory() as folder:
            sdist = Path(folder) / backend.build_sdist(folder)
            target = Path(folder) / "target"
            pip_install(sdist, target)
            self.assertTrue((target / "ai_gateway" / "_client.py").is_file())
            self.assertTrue((target / "ai_gateway" / "py.typed").is_file())

    def test_the_editable_wheel_points_at_the_source(self) -> None:
        backend = load_backend()
        with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(Path(folder) / backend.build_editable(folder)) as wheel:
            self.assertEqual(wheel.read("ai_gateway_sdk.pth").decode("utf-8").strip(), str(PACKAGE_DIR / "src"))

    def test_the_backends_pyproject_reader_reads_what_tomllib_reads(self) -> None:
        read_project = load_backend().read_project
        sample = '[build-system]\nrequires = []\n\n[project]\n# comment\nname = "demo"  # trailing\nversion = "1.0"\ndescription = "say \\"hi\\""\n\n[tool.x]\ny = 1\n'
        self.assertEqual(read_project(sample), {"name": "demo", "version": "1.0", "description": 'say "hi"'})
        with self.assertRaisesRegex(ValueError, "line 5"):
            read_project('[project]\nname = "demo"\nversion = "1"\n\nclassifiers = ["a"]\n')
        if sys.version_info >= (3, 11):
            import tomllib

            text = (PACKAGE_DIR / "pyproject.toml").read_text(encoding="utf-8")
            self.assertEqual(read_project(text), tomllib.loads(text)["project"])
            self.assertEqual(read_project(sample), tomllib.loads(sample)["project"])
