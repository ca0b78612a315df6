"""What the medical tutor says around the model's answer, from a ``Triage``.

- ``urgent_text(categories)``: shown BEFORE the answer when the asker may be in danger
  now: for suicidal thoughts the crisis lines first, in a quiet voice; for the other red
  flags, call the emergency number, with one calm first step each (three at most).
- ``closing_text(triage, notice)``: shown AFTER every medical answer: the mode's notice
  ("For education only — not medical advice ..."), and for a study question about
  suicide or self-harm a quiet line with the crisis lines (no emergency banner).

A textbook vignette ("A 58-year-old man presents with crushing chest pain ...") gets no
banner: the closing notice already says to call the emergency number in an emergency.
The texts are plain Markdown, calm and short; they name no website, so nothing the page
renders makes the browser contact another host.
"""

from __future__ import annotations

from tutor.medical.lexicon import CATEGORIES
from tutor.medical.redflags import Triage

# The medical mode's notice (prompts/medical.yaml `notice`; a test keeps them equal).
NOTICE = "For education only — not medical advice. In an emergency call your local emergency number."

EMERGENCY_NUMBERS = "911 in the US, 999 in the UK, 112 in the EU"

# One calm first step while help is on the way (only where one is safe for anyone to do).
FIRST_STEPS: dict[str, str] = {
    "chest_pain": "Stop what you are doing and sit down; do not drive yourself to hospital.",
    "stroke": "Note the time the symptoms started: it matters for treatment.",
    "anaphylaxis": "If an adrenaline auto-injector (EpiPen) is available, use it now.",
    "bleeding": "Press firmly on the wound with a clean cloth and keep pressing.",
    "seizure": "Move hard objects away, put nothing in their mouth, and turn them on their side when the shaking stops.",
    "unconscious": "If they are not breathing normally, start CPR; if they are, turn them on their side.",
    "overdose": "Keep the packet or bottle to show the paramedics; do not make anyone vomit.",
    "breathing": "Help them sit upright and stay with them; use their reliever inhaler if they have one.",
    "obstetric": "Call your maternity unit or the emergency number now; do not wait to see if it settles.",
}
MAX_STEPS = 3

CRISIS = (
    "**You do not have to face this alone.** If you are thinking about suicide or hurting yourself, "
    "please reach out now: call or text your local crisis line — **988** in the US, **116 123** "
    f"(Samaritans) in the UK and Ireland. If you are in danger right now, call your local emergency "
    f"number ({EMERGENCY_NUMBERS}). If you can, put pills or other means out of reach and stay near "
    "someone you trust. If this is about someone else, stay with them and call for help."
)
# how the urgent text starts (for checks that it comes first)
BANNER_STARTS = ("**You do not have to face this alone.**", "**This may be an emergency")
CRISIS_QUIET = (
    "If this topic touches you personally, you can talk to someone now: call or text your local "
    "crisis line (988 in the US, 116 123 in the UK and Ireland)."
)


def urgent_text(categories: list[str] | tuple[str, ...]) -> str:
    """The urgent-care message shown before the teaching answer ("" without categories)."""
    cats = [c for c in CATEGORIES if c in set(categories)]
    if not cats:
        return ""
    lines = []
    if "suicide" in cats:  # the crisis lines first, in a quiet voice
        lines.append(CRISIS)
    others = [c for c in cats if c != "suicide"]
    if others:
        labels = [CATEGORIES[c] for c in others]
        lines.append(
            f"**This may be an emergency: {', '.join(labels)}.** If this is happening to you or someone "
            f"near you now, call your local emergency number ({EMERGENCY_NUMBERS}) or go to the nearest "
            "emergency department. Do not wait for this tutor."
        )
    steps = [FIRST_STEPS[c] for c in others if c in FIRST_STEPS][:MAX_STEPS]
    if steps:
        lines.append("While you wait for help:\n" + "\n".join(f"- {s}" for s in steps))
    lines.append("What follows is general teaching, not advice for this situation.")
    return "\n\n".join(lines) + "\n\n"


def closing_text(triage: Triage | None, notice: str = NOTICE) -> str:
    """The text that ends every medical answer: a quiet crisis line where it fits, then the notice."""
    parts = []
    if triage is not None and not triage.urgent and triage.has("suicide"):
        parts.append(f"_{CRISIS_QUIET}_")
    parts.append(f"_{notice.strip()}_")
    return "\n\n" + "\n\n".join(parts)
