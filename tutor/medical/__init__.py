"""Medical safety for the medical tutor, independent of the chat model (no streamlit, no torch).

- ``redflags.detect(text) -> Triage``: which red-flag symptoms a question mentions and
  whether the asker may be in danger now (urgent) or is studying (educational): rules
  (``lexicon``, ``lexicon_broad``, ``lexicon_signs``, ``framing``), then a sentence-embedding
  classifier with a nearest-neighbour vote (``embed``, ``semantic``, ``neighbours``; trained by
  ``train_classifier``);
- ``advice``: the urgent-care text, the crisis-line text and the notice the tutor shows;
- ``redflags_eval``: ``python -m tutor.medical.redflags_eval`` measures it on
  ``evals/redflags.jsonl`` and ``evals/redflags_semantic.jsonl``.
"""

from tutor.medical.redflags import Flag, Triage, detect

__all__ = ["Flag", "Triage", "detect"]
