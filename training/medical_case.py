"""One ChatDoctor exchange rewritten as the medical mode's case (prompts/medical.yaml headings).

    from training.medical_case import to_case
    case = to_case(patient_text, doctor_reply)     # Case(text=...) or NoCase(reason=...)

The heuristic, sentence by sentence (documented in docs/TRAINING.md, "Experiments"):
- **Presentation:** the patient's complaint summarised in the third person: greetings, questions
  and first-person openers ("Doctor, I have been experiencing ...") removed, the symptoms
  listed ("A patient reports pain in the anus, black tarry stools and dizziness.");
- **Differential:** the condition the doctor names ("you may be suffering from X", "it sounds
  like you have X") or, failing that, the one the patient asks about ("I think I have X"),
  with the doctor's sentence that defines it ("It is a condition ..."). The source names one
  diagnosis; none is invented, so the case says "most likely" instead of listing three;
- **Key findings:** the doctor's sentences about examinations and tests, made impersonal
  ("we need to perform a pelvic exam" -> "Perform a pelvic exam."); with none, the history's
  findings (the symptoms);
- **Next steps:** the recommendations and treatment ("You should seek ..." -> "Seek ...");
  with none, arranging the tests named above;
- **Learning points:** the condition and the symptoms it presented with, and its definition.
A row is dropped (with the reason) when no condition is named, when the reply has neither
tests nor treatment, when a sentence keeps a first person the rewrite cannot resolve, or when
the case would repeat eight or more words of the patient's message in a row at its start
(the evaluation's echo measure, ``tutor.eval.score.echo``: the targets must not teach it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADINGS = ("Presentation", "Differential", "Key findings", "Next steps", "Learning points")
MAX_SYMPTOMS = 6
MAX_SYMPTOM_WORDS = 7  # a longer complaint is left out: eight words in a row would be an echo

_SENT = re.compile(r"(?<=[.!?])\s+")
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[\s,!.]*)?"
    r"(?:(?:doctor|doc|dr)\b\.?[\s,!.:]*)?",
    re.I,
)
_VOCATIVE = re.compile(r",?\s*\b(?:doctor|doc)\b\s*(?=[,.?!]|$)", re.I)
_OPENERS = re.compile(
    r"^(?:(?:and |also |lately |recently |for (?:a|the) (?:few|past|last) \w+,? )?"
    r"(?:i(?:'ve| have)? (?:been )?(?:experiencing|having|feeling|suffering from|dealing with|noticing|noticed|"
    r"getting|developed|started (?:having|experiencing|to have|to feel)?)|i(?:'m| am) (?:experiencing|having|feeling|"
    r"suffering from|also experiencing|also having|dealing with)|i (?:have|feel|get|notice|suffer from|experience)|"
    r"i've got|i have got|i also have|there is|there's|i have also been (?:experiencing|having)))\s+",
    re.I,
)
_PATIENT_END = (
    r"(?=\s*(?:[.,;!?]|$|\s(?:a few|for|since|last|recently|lately|and|but|which|yesterday|ago)\b))"
)
_WORRY = re.compile(
    r"\b(?:i think|i'm worried|i am worried|i'm afraid|i fear|i suspect|concerned)\b.*?\b"
    r"(?:i|it)\s+(?:may|might|could)?\s*(?:have|be)\s+(?:an? |the )?(?P<x>[A-Za-z][\w' -]{2,50}?)"
    + _PATIENT_END,
    re.I,
)
_DIAGNOSED = re.compile(
    r"\bdiagnosed (?:me )?with\s+(?:an? |the )?(?P<x>[A-Za-z][\w' -]{2,50}?)" + _PATIENT_END, re.I
)
_DX = re.compile(
    r"(?:suffering from|diagnosed (?:you )?with|diagnosis (?:is|of)|(?:you|it|this|these symptoms|they) (?:may|might|could"
    r"|probably|likely|most likely)(?: actually)? (?:have|be(?: having| experiencing| suffering from| due to"
    r"| caused by| a case of| a sign of| a symptom of| signs of| symptoms of)?)(?: a condition called)?"
    r"|you(?:'re| are) (?:experiencing|having|suffering from)|(?:sounds|seems|looks) like(?: you(?: may| might"
    r"| could)? (?:have|are having))?|seems to be|indicative of|suggestive of|consistent with|align(?:s)? with"
    r"|(?:are|be|is) (?:a |the )?(?:common |typical |classic )?(?:signs?|symptoms?) of|a condition called"
    r"|experiencing (?:the )?(?:signs|symptoms) of|could be caused by"
    r"|(?:likely|possible|probable|appears|clear|think|found) (?:that )?you(?:'ve| have| may have| might have"
    r"| are experiencing)?(?: contracted| developed| suffered(?: from)?| got)?"
    r"|(?:manage|treat|treating|managing|for) your)"
    r"\s+(?:an? |the )?(?P<x>[A-Za-z][\w'()/ -]{2,60}?)"
    r"(?=\s*(?:[.,;:!?]|$|\s(?:which|that|where|wherein|and it|and this|as it|due to|because|based on|or |but "
    r"|is |are |on |in your|with |a few |for |since |last |recently|lately|as |a type |- |will |immediately)))",
    re.I,
)
_NOT_A_CONDITION = {
    "you",
    "your",
    "we",
    "i",
    "it",
    "this",
    "that",
    "some",
    "something",
    "many",
    "several",
    "various",
    "serious",
    "number",
    "symptoms",
    "a",
    "an",
    "the",
    "possible",
    "experiencing",
    "having",
    "suffering",
    "likely",
    "due",
    "caused",
    "related",
    "an",
    "other",
    "underlying",
    "condition",
    "disease",
    "illness",
    "problem",
    "problems",
    "issue",
    "issues",
    "pain",
    "case",
    "body",
    "health",
    "been",
    "any",
    "not",
    "no",
    "overall",
    "current",
    "medical",
    "concern",
    "mentioned",
    "described",
    "may",
    "might",
    "could",
    "are",
    "is",
    "be",
    "have",
    "had",
    "experienced",
    "sustained",
    "going",
    "dealing",
    "accidentally",
    "sort",
    "kind",
    "type",
    "developed",
    "contracted",
    "got",
    "treatment",
    "medication",
    "medications",
    "further",
    "more",
    "these",
    "those",
    "taking",
    "injured",
    "swallowed",
}
_DEFINES = re.compile(r"^(?:it|this|that)(?:'s| is| refers to| occurs| happens| can| causes)\b", re.I)
_TESTS = re.compile(
    r"\btests?\b|\bexam|\bscan\b|\bCT\b|\bMRI\b|x-?ray|ultrasound|ultrasonography|biops|blood count|"
    r"\bpanel\b|\bscreen|\bECG\b|\bEKG\b|electrocardiogram|endoscop|colonoscop|\w+scopy\b|\bculture\b|"
    r"urinalysis|\bmeasur|\bevaluat|radiograph|mammogra|\blab\b",
    re.I,
)
_TREATS = re.compile(
    r"recommend|suggest|should|treat|medicat|prescri|therap|surgery|surgical|seek|consult|refer|"
    r"\btake\b|taking|avoid|\brest\b|follow[- ]up|\bdrugs?\b|antibiotic|cream|\bpills?\b|tablets?|"
    r"ointment|injection|manage|lifestyle|exercise|diet",
    re.I,
)
# the doctor's voice made impersonal, in order; a sentence that still says I/we/my/our is left out
_IMPERSONAL = [
    (
        re.compile(
            r"^(?:Based on (?:your|the) (?:symptoms|description)|Okay|Ok|Alright|Well|Yes|Sure|Of course|Hmm"
            r"|In that case|I see|I'm sorry to hear that)[,.!]?\s*",
            re.I,
        ),
        "",
    ),
    (re.compile(r"\byou(?:'ll| will)\b", re.I), "the patient will"),
    (
        re.compile(
            r"\b(?:I|we) (?:would |will )?(?:strongly |also )?(?:recommend|suggest|advise)(?: that)?(?: you)?"
            r"(?: to)?\s+",
            re.I,
        ),
        "Recommended: ",
    ),
    (re.compile(r"\b(?:I|we|you) (?:will |would |may |might |also )*(?:need|have) to (?:also )?", re.I), ""),
    (
        re.compile(
            r"\b(?:I|we|you) (?:should|must|can|could|will|may|might) (?:also )?"
            r"(?=(?:do|perform|conduct|run|order|check|examine|start|prescribe|consider|refer|take|try|use|"
            r"seek|get|undergo|avoid|apply|schedule|see|monitor|keep|begin|continue|give|treat)\b)",
            re.I,
        ),
        "",
    ),
    (re.compile(r"\b(?:you|we) should\b\s*", re.I), ""),
    (re.compile(r"\b(?:I|we)(?:'ll| will) (?:need to )?", re.I), ""),
    (re.compile(r"\byour\b", re.I), "the patient's"),
    (re.compile(r"\byou(?:'re| are)\b", re.I), "the patient is"),
    (re.compile(r"\byou(?:'ve| have)\b", re.I), "the patient has"),
    (re.compile(r"\byourself\b", re.I), "themselves"),
    (re.compile(r"\byou\b", re.I), "the patient"),
]
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|we|us|our|ours)\b|\bI'", re.I)


@dataclass(frozen=True)
class Case:
    text: str
    condition: str


@dataclass(frozen=True)
class NoCase:
    reason: str


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(" ".join(text.split())) if s.strip()]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _end(text: str) -> str:
    text = text.strip().rstrip(",;:")
    return text if text.endswith((".", "!", "?")) else text + "."


# --------------------------------------------------------------------------- the patient
def symptoms(patient: str) -> list[str]:
    """The complaints of the patient's message as short third-person items (questions dropped)."""
    text = _GREETING.sub("", " ".join(patient.split()))
    items = []
    for sentence in sentences(text):
        if sentence.endswith("?"):
            continue
        sentence = _VOCATIVE.sub("", sentence).strip().rstrip(".!")
        sentence = re.sub(
            r"^(?:in addition|additionally|also|and|lately|recently|sometimes|besides)[,\s]+",
            "",
            sentence,
            flags=re.I,
        )
        m = _OPENERS.match(sentence)
        if not m or re.match(r"(?:been\s+)?(?:\w+\s+)?diagnosed\b", sentence[m.end() :], re.I):
            continue
        body = re.sub(
            r"^(?:some |a few |several |many )?(?:unusual |strange |weird |worrying )?symptoms"
            r"(?: lately| recently)?(?:,? (?:like|such as|including)|:)?\s*",
            "",
            sentence[m.end() :],
            flags=re.I,
        )
        body = re.split(r"\s+and it\b|,?\s+which\b|,?\s+but\b|\s+that (?:seems|is getting|keeps)\b", body)[0]
        for part in re.split(
            r",\s*(?:and\s+)?|;\s*|\s+and\s+(?=(?:a |an |some |my |also )?\w+(?:\s+\w+)?(?:,|$))", body
        ):
            part = re.sub(r"^(?:and|also|some|a lot of|lots of)\s+", "", part.strip(), flags=re.I)
            part = re.sub(r"\bmy\b", "the", part, flags=re.I)
            part = re.sub(r"\b(?:i|me)\b", "", part, flags=re.I).strip(" ,")
            if part and len(part.split()) <= MAX_SYMPTOM_WORDS and not _FIRST_PERSON.search(part):
                items.append(part[0].lower() + part[1:] if not part[:2].isupper() else part)
    return items[:MAX_SYMPTOMS]


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _clean_condition(x: str) -> str | None:
    x = re.sub(r"\byour\b", "the", re.sub(r"\s+", " ", x)).strip(" -'")
    x = re.sub(r"^(?:a|an|the|some|possible|possibly|probably)\s+", "", x, flags=re.I)
    x = re.sub(r"^(?:(?:medical )?condition|disease|disorder) (?:called|known as)\s+", "", x, flags=re.I)
    words = x.lower().split()
    if not words or words[0] in _NOT_A_CONDITION or len(words) > 7 or _FIRST_PERSON.search(x):
        return None
    return x


def condition_named(doctor: str, patient: str) -> tuple[str, str] | None:
    """(condition, how): what the doctor says it is ("doctor"), else the patient's diagnosis
    ("diagnosed") or fear ("worried")."""
    pos = 0
    while (
        m := _DX.search(doctor, pos)
    ) is not None:  # overlapping: "sounds like you may be suffering from X"
        x = _clean_condition(m.group("x"))
        if x:
            return x, "doctor"
        pos = m.start() + 1
    for pattern, how in ((_DIAGNOSED, "diagnosed"), (_WORRY, "worried")):
        m = pattern.search(patient)
        if m:
            x = _clean_condition(m.group("x"))
            if x:
                return x, how
    return None


# --------------------------------------------------------------------------- the doctor
def impersonal(sentence: str) -> str | None:
    """A doctor's sentence without I/we/you ("We need to perform X" -> "Perform X."), or None."""
    out = sentence
    for pattern, repl in _IMPERSONAL:
        out = pattern.sub(repl, out)
    out = re.sub(
        r"\bthe patient (require|need|want|feel|take|experience|suffer|develop|get|seem)\b",
        r"the patient \1s",
        out,
    )
    out = re.sub(r"\s+", " ", out).strip()
    if not out or _FIRST_PERSON.search(out) or len(out.split()) < 3:
        return None
    return _end(_cap(out))


def definition(sentence: str, condition: str) -> str | None:
    """'It is a condition where ...' -> 'X is a condition where ...' (about the condition, not the patient)."""
    if not _DEFINES.match(sentence):
        return None
    body = re.sub(
        r"^(?:it|this|that)(?:'s)?",
        condition + (" is" if re.match(r"^\w+'s", sentence) else ""),
        sentence,
        count=1,
        flags=re.I,
    )
    body = re.sub(r"\byour\b", "the", body, flags=re.I)
    body = re.sub(r"\byou\b", "a patient", body, flags=re.I)
    return None if _FIRST_PERSON.search(body) else _end(body)


def to_case(patient: str, doctor: str) -> Case | NoCase:
    """The medical mode's five headings from one exchange, or NoCase(reason)."""
    from tutor.eval.score import echo

    named = condition_named(doctor, patient)
    if named is None:
        return NoCase("no condition named")
    condition, how = named
    found = symptoms(patient)
    # listed last complaint first: the patient's own sequence of words is not copied (echo)
    if found:
        presentation = f"A patient reports {_listing(found[::-1])}."
    elif how == "diagnosed":
        presentation = f"A patient has been diagnosed with {condition} and asks about the next steps."
    else:
        presentation = f"A patient is worried about {condition}."
    defines, tests, treats = None, [], []
    for sentence in sentences(doctor):
        if defines is None and (d := definition(sentence, condition)):
            defines = d
            continue
        if _DX.search(sentence) and condition.lower() in sentence.lower():
            continue  # the sentence naming the condition is the differential already
        is_test, is_treat = bool(_TESTS.search(sentence)), bool(_TREATS.search(sentence))
        if not (is_test or is_treat):
            continue
        text = impersonal(sentence)
        if text is None:
            continue
        (tests if is_test and not re.match(r"^Recommended:", text) else treats).append(text)
    if not tests and not treats:
        return NoCase("the reply names neither tests nor treatment")
    differential = f"{_cap(condition)} is the most likely diagnosis."
    if defines:
        differential += f" {defines}"
    findings = (
        " ".join(tests) if tests else "The history above; the case gives no examination or test results."
    )
    steps = (
        " ".join(treats) if treats else "Arrange the examinations and tests above to confirm the diagnosis."
    )
    points = [
        f"{_cap(condition)} can present with {_listing(found[::-1][:3])}."
        if found
        else f"Consider {condition} when a patient describes these complaints."
    ]
    if tests:
        points.append(f"Examinations and tests, not the history alone, confirm {condition}.")
    text = "\n\n".join(
        [
            f"**Presentation:** {presentation}",
            f"**Differential:** {differential}",
            f"**Key findings:** {findings}",
            f"**Next steps:** {steps}",
            "**Learning points:**\n" + "\n".join(f"- {p}" for p in points),
        ]
    )
    if echo(text, patient):
        return NoCase("it would repeat the patient's words (the evaluation's echo measure)")
    return Case(text, condition)
