"""Registry input is validated as huggingface_hub defines it, errors are messages, pages never download."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tutor import models, models_cli
from tutor.config import get_settings
from tutor.errors import RegistryError

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


@pytest.mark.parametrize(
    "repo, file",
    [
        ("../etc", "model.gguf"),
        ("owner/name", "../../passwd.gguf"),
        ("owner/name", "/etc/passwd.gguf"),
        ("owner/name", "C:\\x.gguf"),
        ("owner/name", "passwd"),
        ("owner--x/name", "m.gguf"),
        ("no-slash", "m.gguf"),
        ("a/b/c", "m.gguf"),
        ("owner/name", "m\n.gguf"),
    ],
)
def test_bad_hub_ids_and_file_names_are_refused(repo, file, capsys):
    with pytest.raises(RegistryError):
        models.add_model(None, "x", repo=repo, file=file)
    assert models_cli.main(["add", "x", "--repo", repo, "--file", file]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert not get_settings().user_registry.exists() or "x" not in get_settings().user_registry.read_text()


def test_a_hand_edited_bad_entry_is_a_message_in_list_and_on_pages(tutor_home, capsys):
    tutor_home.mkdir(parents=True, exist_ok=True)
    (tutor_home / "models.yaml").write_text(
        yaml.safe_dump({"models": {"x": {"source": "hub", "repo": "../etc", "file": "../../passwd"}}})
    )
    assert models_cli.main(["list"]) == 1
    err = capsys.readouterr().err
    assert "models.x.repo" in err and "Traceback" not in err
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert any("models.x.repo" in e.value for e in at.error)


def test_pages_never_download_a_hub_model(tutor_home, monkeypatch):
    def no_download(*args, **kwargs):  # pragma: no cover - the test fails if it is called
        raise AssertionError("a page tried to download")

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", no_download)
    monkeypatch.delenv("HF_HUB_OFFLINE")  # online as far as the app can tell: it still must not fetch
    models.add_model(None, "big", repo="owner/model-GGUF", file="model-Q4_K_M.gguf", make_default=True)
    spec = models.load_registry().get("big")
    assert models.cached_path(spec) is None
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert any("not on this machine yet" in w.value and "tutor.models fetch big" in w.value for w in at.warning)
    at.switch_page("pages/3_Hint.py").run()
    assert not at.exception
    assert any("not downloaded yet" in e.value for e in at.error), [e.value for e in at.error]
    assert any("tutor.models fetch big" in i.value for i in at.info)
