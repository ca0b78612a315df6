"""The shape rules of DESIGN.md that a test can hold: the core without Streamlit, the app without torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "tutor"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_ui_package_imports_streamlit():
    offenders = [
        str(p.relative_to(ROOT))
        for p in CORE.rglob("*.py")
        if "ui" not in p.relative_to(CORE).parts and "streamlit" in imported_modules(p)
    ]
    assert offenders == []


def test_pages_are_thin():
    for page in (ROOT / "pages").glob("*.py"):
        code = [
            line
            for line in page.read_text().splitlines()
            if line.strip() and not line.startswith(('"""', "#"))
        ]
        calls = [line for line in code if line.startswith("ui.")]
        assert len(calls) == 1, f"{page.name} should call exactly one function of tutor.ui"


def test_the_app_imports_without_torch_or_training():
    code = (
        "import sys, tutor.chat, tutor.engine, tutor.models, tutor.store, tutor.ui;"
        "bad = sorted(m for m in ('torch', 'transformers', 'unsloth', 'training') if m in sys.modules);"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
