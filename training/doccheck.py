"""Run the documented commands as written, in a fresh copy of the repository: the docs stay true.

    python -m training.doccheck            # every marked block of README.md and docs/TRAINING.md
    python -m training.doccheck --list     # show the blocks and their commands, run nothing

A block is marked by an HTML comment on the line before its fence; the comment does not render:

    <!-- doccheck -->
    ```bash
    python -m training.sft --config training/configs/smollm2/135m_lora_tiny.yaml
    ```

Each marked block runs with ``bash -euo pipefail`` in order, in one copy of the working tree
made the way a fresh clone looks (the files git tracks or would track, nothing ignored: no
runs/, no caches), with ``.venv`` linked to this checkout's virtual environment and its
``bin`` first on PATH (so ``python`` and ``.venv/bin/python`` both work), ``$TUTOR_HOME`` in a
temporary folder and ``HF_HUB_OFFLINE=1``. Each block stands alone (it sets the variables it
uses, such as ``RUN=...``), as a reader who copies one block needs. Prints the seconds each block took; exit status 1 at the first
block that fails, naming its file and line. CI runs it through tests/training/test_doccheck.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from training import cli
from training.paths import REPO_ROOT

DOCS = ("README.md", "docs/TRAINING.md")
MARK = "<!-- doccheck -->"
FENCE = re.compile(r"^```(?:bash|sh|console)?\s*$")


@dataclass
class Block:
    file: str
    line: int  # 1-based line of the opening fence
    text: str

    def commands(self) -> list[str]:
        """The block's command lines (comments and blank lines dropped, backslash continuations joined)."""
        joined = re.sub(r"\s*\\\n\s*", " ", self.text)
        return [c for c in (line.strip() for line in joined.splitlines()) if c and not c.startswith("#")]


def extract(path: Path, name: str) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].strip() == MARK:
            j = i + 1
            if j >= len(lines) or not FENCE.match(lines[j].strip()):
                raise ValueError(f"{name}:{i + 1}: {MARK} must be followed by a ```bash fence")
            k = j + 1
            while k < len(lines) and lines[k].strip() != "```":
                k += 1
            blocks.append(Block(name, j + 1, "\n".join(lines[j + 1: k])))
            i = k
        i += 1
    return blocks


def all_blocks(root: Path = REPO_ROOT) -> list[Block]:
    return [b for name in DOCS for b in extract(root / name, name)]


def fresh_copy(dest: Path, root: Path = REPO_ROOT) -> Path:
    """The working tree as a fresh clone of it would be: tracked and not-ignored files only."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = root / rel
        if src.is_symlink() or not src.is_file():
            continue  # .venv (a link here) is linked below; deleted files are skipped
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, out)
    venv = root / ".venv"
    if venv.exists():
        (dest / ".venv").symlink_to(venv.resolve())
    return dest


def run_blocks(blocks: list[Block], workdir: Path, home: Path) -> list[tuple[Block, float, int]]:
    env = {**os.environ, "TUTOR_HOME": str(home), "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1",
           "PATH": f"{workdir / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)  # as in a developer's shell: the copy itself is the repository
    results = []
    for b in blocks:
        print(f"\n=== {b.file}:{b.line}", flush=True)
        for c in b.commands():
            print(f"$ {c}", flush=True)
        t0 = time.time()
        rc = subprocess.run(["bash", "-c", f"set -euo pipefail\n{b.text}\n"], cwd=workdir, env=env).returncode
        results.append((b, round(time.time() - t0, 1), rc))
        if rc != 0:
            break
    return results


@cli.command
def main(argv: list[str] | None = None) -> int:
    ap = cli.parser(__doc__)
    ap.add_argument("--list", action="store_true", help="print the marked blocks and their commands, run nothing")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy (its path is printed)")
    args = ap.parse_args(argv)
    blocks = all_blocks()
    if args.list:
        for b in blocks:
            print(f"{b.file}:{b.line}")
            for c in b.commands():
                print(f"    {c}")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="doccheck-"))
    try:
        workdir = fresh_copy(tmp / "repo")
        results = run_blocks(blocks, workdir, tmp / "tutor-home")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("\nblock                         seconds  exit")
    for b, seconds, rc in results:
        print(f"{b.file + ':' + str(b.line):<29} {seconds:>7.1f}  {rc}")
    failed = [(b, rc) for b, _, rc in results if rc != 0]
    if failed or len(results) < len(blocks):
        b, rc = failed[0]
        print(f"doccheck FAILED: {b.file}:{b.line} exited {rc}", file=sys.stderr)
        return 1
    print(f"doccheck ok: {len(results)} blocks, {sum(len(b.commands()) for b in blocks)} commands, "
          f"{sum(s for _, s, _ in results):.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
