"""The layers hold: a pure core; no import cycle anywhere; adapters that do not reach into
each other; Qt only in the window; the hub never leans on the scanner's adapters.

The import graph is read from the sources (every `import`, in functions too, except those
under `if TYPE_CHECKING:`, which never run). Each rule has a control below: a graph with the
forbidden edge planted, which the same checker must reject.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("scanner_app", "scanner_hub", "scanner_issuer")
CORE = ROOT / "scanner_app" / "core"
ADAPTER_LIBRARIES = (
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
RUNTIME_BLOCKED = [f for f in ADAPTER_LIBRARIES if "." not in f and f != "socket"]

A = "scanner_app."
ENTRY_POINTS = (A + "ui", A + "cli")
# (importer prefix, forbidden imported prefixes, why)
RULES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (A + "core", (A, "scanner_hub", "scanner_issuer"), "the core imports only the core"),
    (A + "ui", (A + "cli", A + "store", A + "sync"), "the window reaches adapters through the app"),
    (A + "store", (A + "sync", A + "camera", A + "services", A + "app", *ENTRY_POINTS), "store layer"),
    (A + "sync", (A + "store", A + "camera", A + "services", A + "app", *ENTRY_POINTS), "sync layer"),
    (A + "camera", (A + "store", A + "sync", A + "services", A + "app", *ENTRY_POINTS), "camera layer"),
    (A + "local", (A + "store", A + "sync", A + "camera", A + "services", A + "app", *ENTRY_POINTS), "state"),
    (A + "text", (A + "store", A + "sync", A + "camera", A + "services", A + "app", *ENTRY_POINTS), "text"),
    (A + "system", (A + "store", A + "sync", A + "camera", A + "services", A + "app", *ENTRY_POINTS), "os"),
    (A + "services", (A + "app", *ENTRY_POINTS), "use cases receive their dependencies"),
    (A + "app", ENTRY_POINTS, "the composition root knows no window and no command line"),
    ("scanner_hub", (A + "cli", A + "ui", A + "store", A + "camera"), "the hub uses the core"),
    ("scanner_issuer", (A + "cli", A + "ui", A + "store", A + "camera", A + "sync"), "the issuer"),
)
QT_ONLY_IN = (A + "ui",)


def _module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Imported names, resolved to absolute modules (a `from x import y` yields `x.y` too,
    since y may be a module; unknown names are filtered against the real modules later)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            yield from (name for child in node.orelse for name in _imports(child, module, is_package))
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        yield from _imports(node, module, is_package)


def import_graph(base: Path = ROOT, roots: Iterable[Path] | None = None) -> dict[str, set[str]]:
    """Module -> what it imports: modules of ours found under `base`, and any other name."""
    chosen = list(roots) if roots is not None else [base / p for p in PACKAGES]
    files = {_module_name(p, base): p for root in chosen if root.is_dir() for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set(_imports(tree, module, path.name == "__init__.py"))
        graph[module] = {n for n in names if n in files and n != module} | {
            n for n in names if n.split(".")[0] not in PACKAGES
        }
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def _within(name: str, prefix: str) -> bool:
    return name == prefix.rstrip(".") or name.startswith(prefix.rstrip(".") + ".")


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            for importer, forbidden, why in RULES:
                if _within(module, importer) and any(_within(target, f) for f in forbidden):
                    if importer == A + "core" and _within(target, A + "core"):
                        continue
                    found.append(f"{module} -> {target} ({why})")
            if _within(target, "PySide6") and not any(_within(module, p) for p in QT_ONLY_IN):
                found.append(f"{module} -> {target} (Qt only in scanner_app.ui)")
    return found


# -- the rules on the real code ---------------------------------------------------------------


def test_no_import_cycle_anywhere() -> None:
    assert find_cycles(import_graph()) == []


def test_layers_hold() -> None:
    graph = import_graph()
    assert len(graph) > 100  # the whole program was read
    assert layer_violations(graph) == []


def test_core_source_imports_no_adapter_library() -> None:
    offenders = {}
    for module, targets in import_graph(roots=[CORE]).items():
        bad = {t for t in targets if any(_within(t, f) for f in ADAPTER_LIBRARIES)}
        if bad:
            offenders[module] = sorted(bad)
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


# -- controls: the same checkers reject planted breaks ----------------------------------------


def _plant(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return import_graph(tmp_path)


def test_control_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    graph = _plant(
        tmp_path,
        {
            "scanner_app/__init__.py": "",
            "scanner_app/app.py": "def run():\n    from scanner_app.ui import launch\n",
            "scanner_app/ui/__init__.py": "",
            "scanner_app/ui/launch.py": "from scanner_app import app\n",
        },
    )
    assert find_cycles(graph) == [["scanner_app.app", "scanner_app.ui.launch"]]


def test_control_type_checking_imports_are_not_edges(tmp_path: Path) -> None:
    graph = _plant(
        tmp_path,
        {
            "scanner_app/__init__.py": "",
            "scanner_app/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import scanner_app.b\n",
            "scanner_app/b.py": "import scanner_app.a\n",
        },
    )
    assert find_cycles(graph) == []


@pytest.mark.parametrize(
    ("importer", "source", "expected"),
    [
        ("ui/view.py", "from scanner_app.cli import sync_cmd\n", "scanner_app.ui.view -> scanner_app.cli"),
        ("store/x.py", "import scanner_app.sync.relay\n", "scanner_app.store.x -> scanner_app.sync"),
        ("sync/x.py", "from scanner_app.store import checks\n", "scanner_app.sync.x -> scanner_app.store"),
        ("camera/x.py", "from scanner_app.store.db import DB\n", "scanner_app.camera.x -> scanner_app.store"),
        ("services/x.py", "from PySide6.QtCore import QObject\n", "scanner_app.services.x -> PySide6"),
        ("core/x.py", "from scanner_app.local import paths\n", "scanner_app.core.x -> scanner_app.local"),
    ],
)
def test_control_each_forbidden_edge_is_reported(
    tmp_path: Path, importer: str, source: str, expected: str
) -> None:
    files = {"scanner_app/__init__.py": "", f"scanner_app/{importer}": source}
    for package in ("ui", "store", "sync", "camera", "services", "core", "cli", "local"):
        files[f"scanner_app/{package}/__init__.py"] = ""
    for module in ("cli/sync_cmd.py", "sync/relay.py", "store/checks.py", "store/db.py", "local/paths.py"):
        files[f"scanner_app/{module}"] = ""
    found = layer_violations(_plant(tmp_path, files))
    assert any(line.startswith(expected) for line in found), found
