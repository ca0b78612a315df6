"""training/medical_data.py + medical_case.py: ChatDoctor exchanges in the medical mode's format,
and the masking switch (``data.train_on``) that the masking experiment turns off.

The cases keep the five headings of prompts/medical.yaml, speak about "a patient" (never the
patient's own first person), never repeat eight words of the patient's message in a row at
their start (the evaluation's echo measure), and use no row the evaluation holds out.
"""

from __future__ import annotations

import json
import re

import pytest

from training import medical_data
from training.medical_case import HEADINGS, Case, NoCase, condition_named, impersonal, symptoms, to_case
from tutor.eval.score import echo, medical_measures
from tutor.eval.splits import CHATDOCTOR_FILE, is_heldout

PATIENT = (
    "Doctor, I have been experiencing pain in my anus, black tarry stools, dizziness, and burning pain "
    "in my belly. What could be the problem?"
)
DOCTOR = (
    "Based on your symptoms, it seems like you might be suffering from Esophageal Varices. This is a condition "
    "in which the veins in your esophagus become enlarged and could cause bleeding. We need to perform an "
    "upper endoscopy and a complete blood count. You should seek immediate medical attention."
)


def test_a_case_has_the_medical_modes_headings_in_order():
    case = to_case(PATIENT, DOCTOR)
    assert isinstance(case, Case) and case.condition == "Esophageal Varices"
    found = [m.group(1) for m in re.finditer(r"\*\*([A-Za-z ]+):\*\*", case.text)]
    assert found == list(HEADINGS)
    sections = dict(re.findall(r"\*\*([A-Za-z ]+):\*\*\s*(.*?)(?=\n\n\*\*|\Z)", case.text, re.S))
    assert sections["Presentation"] == (
        "A patient reports burning pain in the belly, dizziness, black tarry stools and pain in the anus."
    )
    assert sections["Differential"].startswith(
        "Esophageal Varices is the most likely diagnosis. Esophageal Varices "
        "is a condition in which the veins in the esophagus"
    )
    assert sections["Key findings"] == "Perform an upper endoscopy and a complete blood count."
    assert sections["Next steps"] == "Seek immediate medical attention."
    assert sections["Learning points"].startswith("- Esophageal Varices can present with")
    assert medical_measures(case.text, PATIENT)["headings"] == 5
    assert not echo(case.text, PATIENT)


def test_the_patient_is_spoken_of_not_quoted():
    assert symptoms(
        "Hi doctor, I've been having a sore throat and fever. I also have a rash. What is it?"
    ) == ["a sore throat", "fever", "a rash"]
    assert symptoms("Doctor, what could cause a cough?") == []
    assert impersonal("We will need to perform a chest X-ray.") == "Perform a chest X-ray."
    assert impersonal("I would recommend taking ibuprofen.") == "Recommended: taking ibuprofen."
    assert impersonal("I think so too.") is None  # a first person left: the sentence is not used


def test_the_condition_comes_from_the_doctor_else_the_patient():
    assert condition_named(
        "It sounds like you may be suffering from ovarian torsion. You will require "
        "treatment of the symptoms of pain.",
        "",
    ) == ("ovarian torsion", "doctor")
    assert condition_named("You need to take antibiotics.", "I have been diagnosed with cellulitis.") == (
        "cellulitis",
        "diagnosed",
    )
    assert condition_named("Let's run some tests.", "My knee hurts.") is None


def test_rows_that_cannot_be_rewritten_well_are_dropped_with_a_reason():
    assert to_case("Doctor, I have a headache.", "You should rest.") == NoCase("no condition named")
    assert to_case(PATIENT, "It sounds like you have Esophageal Varices.") == NoCase(
        "the reply names neither tests nor treatment"
    )
    long_complaint = "I have been experiencing a sharp stabbing pain behind my left eye every single morning."
    case = to_case(long_complaint, DOCTOR)
    assert isinstance(case, Case) and not echo(case.text, long_complaint)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not CHATDOCTOR_FILE.is_file():
        pytest.skip("../shared/data/chatdoctor is not here")
    out = tmp_path_factory.mktemp("medical")
    report = medical_data.build(out, chatdoctor=CHATDOCTOR_FILE, max_rows=300)
    rows = [json.loads(line) for line in (out / medical_data.SFT_FILE).read_text().splitlines()]
    return report, rows


def test_built_cases_use_no_heldout_row_and_the_modes_instructions(built):
    from training.tutor_data import load_app_modes

    report, rows = built
    assert len(rows) == report["cases"] == 300 and report["heldout_skipped"] > 0
    system = load_app_modes()["medical"].instructions
    for r in rows:
        system_msg, user, assistant = r["messages"]
        assert system_msg == {"role": "system", "content": system}
        assert user["role"] == "user" and not is_heldout(user["content"])
        assert medical_measures(assistant["content"], user["content"])["headings"] == 5
        assert not echo(assistant["content"], user["content"])
        assert not re.search(r"\b(I|my|me|we|our)\b|ChatDoctor", assistant["content"]), assistant["content"]


def test_the_report_counts_every_row(built):
    report, rows = built
    assert set(report["dropped"]) <= {
        "no condition named",
        "the reply names neither tests nor treatment",
        "it would repeat the patient's words (the evaluation's echo measure)",
        "duplicate patient message",
        "malformed or empty",
    }
    assert report["files"][medical_data.SFT_FILE]["rows"] == len(rows)


# --------------------------------------------------------------------------- the masking switch
CONV = [
    {"role": "system", "content": "You are a medical tutor."},
    {"role": "user", "content": "I have a cough and a fever."},
    {"role": "assistant", "content": "**Presentation:** A patient reports fever and a cough."},
]


def test_train_on_assistant_masks_the_prompt_and_all_trains_on_it(smol_tokenizer):
    from training.masking import IGNORE_INDEX, encode_conversation, trained_text

    masked = encode_conversation(CONV, smol_tokenizer, "chatml")
    every = encode_conversation(CONV, smol_tokenizer, "chatml", train_on="all")
    assert masked["input_ids"] == every["input_ids"]
    assert every["labels"] == every["input_ids"]  # no masking: every token is a target
    assert "I have a cough" not in "".join(trained_text(masked, smol_tokenizer))
    assert "I have a cough" in "".join(trained_text(every, smol_tokenizer))  # the user turn is trained
    assert IGNORE_INDEX in masked["labels"]
    with pytest.raises(ValueError, match="train_on must be one of assistant, all"):
        encode_conversation(CONV, smol_tokenizer, "chatml", train_on="user")


def test_train_on_is_a_checked_config_switch_that_shares_the_data_folder():
    from training.config import config_from_dict, load_config
    from training.data import DataSettings
    from training.errors import TrainConfigError
    from training.paths import CONFIGS_DIR

    mask = load_config(CONFIGS_DIR / "smollm2" / "135m_med_mask.yaml", check_paths=False)
    nomask = load_config(CONFIGS_DIR / "smollm2" / "135m_med_nomask.yaml", check_paths=False)
    assert (mask.data.train_on, nomask.data.train_on) == ("assistant", "all")
    a, b = DataSettings.from_config(mask), DataSettings.from_config(nomask)
    assert (a.train_on, b.train_on) == ("assistant", "all")
    raw = mask.to_dict()
    raw["data"]["train_on"] = "everything"
    with pytest.raises(
        TrainConfigError, match=r"data.train_on: must be one of assistant, all \(you wrote 'everything'\)"
    ):
        config_from_dict(raw)
    raw["data"].pop("train_on")
    assert config_from_dict(raw).data.train_on == "assistant"  # the default


def test_train_on_all_reaches_the_trainers_rows(smol_tokenizer, tmp_path):
    from training.data import prepare

    src = tmp_path / "conv.jsonl"
    src.write_text(
        json.dumps({"messages": CONV})
        + "\n"
        + json.dumps(
            {"messages": CONV[:2] + [{"role": "assistant", "content": "**Presentation:** Another case."}]}
        )
        + "\n"
    )
    kw = dict(
        source=str(src),
        fmt="messages",
        val_fraction=0.0,
        max_seq_len=256,
        tokenizer=smol_tokenizer,
        chat_template="chatml",
    )
    masked, every = prepare(**kw), prepare(**kw, train_on="all")
    assert masked.fingerprint == every.fingerprint  # the same conversations, other labels
    assert all(ex["labels"] == ex["input_ids"] for ex in every.train)
    assert all(-100 in ex["labels"] for ex in masked.train)
