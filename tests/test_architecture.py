"""The house stays tidy by itself: the engines stay apart, no import circle, small modules.

Read from the source text (``ast``), never by importing: lazy imports inside functions count
too, ``if TYPE_CHECKING:`` blocks do not (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sorter", "routing", "gongpei")
#: Files allowed over the size limit, with the reason.
LONG_FILES: dict[str, str] = {
    "sorter/engine.py": "~560 lines: the hot closures of simulate stay in one function (speed)",
}
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*.py"):
            rel = p.relative_to(ROOT).with_suffix("")
            name = ".".join(rel.parts)
            out[name.removesuffix(".__init__")] = p
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    skip = {
        id(x)
        for n in ast.walk(tree)
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
        for x in ast.walk(n)
    }
    found: set[str] = set()
    for n in ast.walk(tree):
        if id(n) in skip:
            continue
        if isinstance(n, ast.ImportFrom):
            if n.level:
                base = name.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - (n.level - 1)]
                module = ".".join(base + ([n.module] if n.module else []))
            else:
                module = n.module or ""
            for a in n.names:
                if f"{module}.{a.name}" in MODULES:
                    found.add(f"{module}.{a.name}")
                elif module in MODULES:
                    found.add(module)
        elif isinstance(n, ast.Import):
            found.update(a.name for a in n.names if a.name in MODULES)
    found.discard(name)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_the_engines_never_import_each_other_or_the_application() -> None:
    for name, deps in GRAPH.items():
        top = name.split(".")[0]
        if top == "gongpei":
            continue
        foreign = {d for d in deps if d.split(".")[0] != top}
        assert not foreign, f"{name} imports {sorted(foreign)}"


def test_no_import_circle() -> None:
    colour: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(u: str, stack: list[str]) -> None:
        colour[u] = 1
        stack.append(u)
        for v in sorted(GRAPH[u]):
            if colour.get(v) == 1:
                cycles.append([*stack[stack.index(v) :], v])
            elif v not in colour:
                visit(v, stack)
        stack.pop()
        colour[u] = 2

    for m in sorted(GRAPH):
        if m not in colour:
            visit(m, [])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_source_file_is_long(name: str) -> None:
    path = MODULES[name]
    rel = str(path.relative_to(ROOT))
    lines = len(path.read_text("utf-8").splitlines())
    if rel in LONG_FILES:
        return
    assert lines <= MAX_LINES, f"{rel}: {lines} lines (split it by concept)"


#: Test modules at the top of ``tests/``: about the whole project, not one package.
TOP_LEVEL_TESTS = {
    "conftest.py",
    "test_architecture.py",
    "test_benchmark_scripts.py",
    "test_notebooks.py",
}


def test_tests_mirror_the_packages() -> None:
    """Every test module sits in the folder of the package it tests (``tests/sorter``,
    ``tests/routing``, ``tests/gongpei/<subpackage>``); shared fixtures come from
    ``conftest.py`` files, never from a module a test imports."""
    tests = ROOT / "tests"
    misplaced, imported = [], []
    for p in sorted(tests.rglob("*.py")):
        rel = p.relative_to(tests)
        if rel.parts[0] == "data":
            continue
        if len(rel.parts) == 1:
            if rel.name not in TOP_LEVEL_TESTS:
                misplaced.append(str(rel))
        elif not (ROOT.joinpath(*rel.parts[:-1]) / "__init__.py").exists() or not (
            rel.name == "conftest.py" or rel.name.startswith("test_")
        ):
            misplaced.append(str(rel))
        for n in ast.walk(ast.parse(p.read_text("utf-8"))):
            if (
                isinstance(n, ast.ImportFrom)
                and n.module
                and (
                    n.module.split(".")[0] in ("tests", "conftest") or n.module.endswith("fixtures")
                )
            ):
                imported.append(f"{rel}: from {n.module}")
    assert not misplaced, f"test files outside the package mirror: {misplaced}"
    assert not imported, f"fixtures imported as modules (use conftest.py): {imported}"
