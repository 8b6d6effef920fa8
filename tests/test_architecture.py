"""The core stays pure: no Qt, OpenCV, numpy, SQLite or HTTP in scanner_app.core."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "scanner_app" / "core"
FORBIDDEN = (
    "PySide6",
    "cv2",
    "numpy",
    "sqlite_utils",
    "sqlite3",
    "httpx",
    "requests",
    "fastapi",
    "sqlalchemy",
    "uvicorn",
    "zxingcpp",
    "pyzbar",
    "urllib.request",
    "http.client",
    "socket",
)


# socket and http.client are reachable from the stdlib itself (importlib.metadata -> email),
# so at run time only the third-party adapters are blocked; the source scan covers the rest.
RUNTIME_BLOCKED = [f for f in FORBIDDEN if "." not in f and f != "socket"]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_source_imports_no_adapter_library() -> None:
    offenders = {}
    for path in CORE.rglob("*.py"):
        bad = {n for n in _imports(path) if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)}
        bad |= {
            n for n in _imports(path) if n.startswith("scanner_app.") and not n.startswith("scanner_app.core")
        }
        if bad:
            offenders[str(path.relative_to(CORE))] = sorted(bad)
    assert offenders == {}


def test_core_imports_with_adapter_libraries_blocked() -> None:
    """Import every core module in a fresh interpreter where importing any forbidden
    library raises: catches indirect imports the source scan cannot see."""
    script = f"""
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {RUNTIME_BLOCKED!r}:
            raise ImportError('blocked in core: ' + name)
sys.meta_path.insert(0, Block())
import scanner_app.core as core
for info in pkgutil.walk_packages(core.__path__, 'scanner_app.core.'):
    importlib.import_module(info.name)
print('ok')
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
