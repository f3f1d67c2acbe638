"""Dependency direction (docs/architecture.md), checked on the source by scanning imports with ``ast``.

    trilha.model, trilha.errors, trilha.config, trilha.paths, trilha.store
        ← crawler, graph, reports ← trilha.cli

* Engines (crawler, graph, reports) never import ``trilha.cli``.
* ``graph`` never imports ``crawler``; ``reports`` never imports ``crawler`` or ``graph``.
* The shared base never imports an engine or the CLI.

Imports inside functions and under ``TYPE_CHECKING`` count too: a lazy import is still a
dependency.  Relative imports are resolved against the importing module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("trilha", "crawler", "graph", "reports")
BASE = ("trilha.model", "trilha.errors", "trilha.config", "trilha.paths", "trilha.store")

#: module prefix -> module prefixes it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "crawler": ("trilha.cli",),
    "graph": ("trilha.cli", "crawler"),
    "reports": ("trilha.cli", "crawler", "graph"),
    **{base: ("trilha.cli", "crawler", "graph", "reports") for base in BASE},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every absolute module name ``source`` imports (``from a import b`` yields ``a`` and ``a.b``)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                if node.level > 1:
                    base_parts = base_parts[: -(node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def source_files() -> list[Path]:
    files: list[Path] = []
    for package in PACKAGES:
        files.extend(p for p in sorted((ROOT / package).rglob("*.py")) if "migrations" not in p.parts or package != "trilha")
    return files


def violations() -> list[str]:
    found: list[str] = []
    for path in source_files():
        module = module_name(path)
        rules = [bad for owner, bads in FORBIDDEN.items() if within(module, owner) for bad in bads]
        if not rules:
            continue
        imports = imported_modules(path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py")
        for name in sorted(imports):
            for bad in rules:
                if within(name, bad):
                    found.append(f"{path.relative_to(ROOT)}: {module} imports {name} (must not import {bad})")
    return found


def test_the_scan_sees_every_package() -> None:
    modules = {module_name(p).split(".")[0] for p in source_files()}
    assert set(PACKAGES) <= modules
    assert len(source_files()) >= 10


def test_dependency_direction_holds() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("import trilha.cli.run", "graph.build", "trilha.cli.run"),
        ("from trilha.cli import options", "reports.render", "trilha.cli.options"),
        ("def f():\n    from crawler.adapters import base", "graph.x", "crawler.adapters.base"),
        ("from ..crawler import spider", "graph.sub.x", "graph.crawler"),
        ("from . import spider", "crawler.run", "crawler.spider"),
        ("importlib.import_module('crawler.run')", "reports.x", "crawler.run"),
    ],
)
def test_the_detector_finds_imports_in_every_form(source: str, module: str, expected: str) -> None:
    assert expected in imported_modules(source, module)


def test_a_type_checking_import_counts() -> None:
    names = imported_modules("if TYPE_CHECKING:\n    from crawler.items import X\n", "reports.health")
    assert sorted(n for n in names for rule in FORBIDDEN["reports"] if within(n, rule)) == [
        "crawler.items",
        "crawler.items.X",
    ]
