"""The documented commands run as written: README.md and docs/TRAINING.md stay true.

Fast: the marked blocks are found, name only tiny configs, modules that exist and configs that
load. Slow: ``python -m training.doccheck`` runs every marked block in a fresh copy of the
repository (what a new developer's clone holds), the way a reader would type them.
"""

from __future__ import annotations

import importlib
import re
import shlex
import subprocess
import sys

import pytest

from training import doccheck
from training.config import load_config
from training.paths import REPO_ROOT


def test_the_docs_mark_their_tiny_commands():
    blocks = doccheck.all_blocks()
    assert {b.file for b in blocks} == set(doccheck.DOCS)
    commands = [c for b in blocks for c in b.commands()]
    modules = set()
    for c in commands:
        words = shlex.split(c.split(" #")[0])
        if re.fullmatch(r"[A-Z_]+=\S+", words[0]):
            continue  # RUN=runs/...
        assert words[0] in ("python", ".venv/bin/python") and words[1] == "-m", c
        modules.add(words[2])
        if "--config" in words:
            config = words[words.index("--config") + 1]
            assert "tiny" in config, f"only tiny configs belong in a checked block: {c}"
            sets = [words[i + 1] for i, w in enumerate(words) if w == "--set"]
            load_config(REPO_ROOT / config, sets)  # every key, value and path checks out
    for module in modules:
        assert callable(importlib.import_module(module).main), module
    assert {"training.prepare_data", "training.sft", "training.dpo", "training.export.register"} <= modules


def test_a_mark_without_a_fence_is_an_error(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("text\n<!-- doccheck -->\nno fence here\n")
    with pytest.raises(ValueError, match="x.md:2: <!-- doccheck --> must be followed by a ```bash fence"):
        doccheck.extract(doc, "x.md")
    doc.write_text("<!-- doccheck -->\n```bash\npython -m a \\\n  --flag\n# comment\n\necho hi\n```\n")
    (block,) = doccheck.extract(doc, "x.md")
    assert block.line == 2 and block.commands() == ["python -m a --flag", "echo hi"]


@pytest.mark.slow
@pytest.mark.training
@pytest.mark.model
def test_documented_commands_run_as_written_from_a_fresh_copy():
    """Every marked block, in order, in a copy of the working tree; minutes on 2 cores."""
    proc = subprocess.run([sys.executable, "-m", "training.doccheck"], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=3600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "doccheck ok:" in proc.stdout
