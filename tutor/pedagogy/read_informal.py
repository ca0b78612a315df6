"""Informal wording around the math rewritten as the instruction words the reader knows.

    informal("yo whats x in 7x - 3 = 25 lol")           -> "what is x in 7x - 3 = 25"
    informal("what x works for 2x - 7 < 5")             -> "solve for x 2x - 7 < 5"
    informal("decompose in factors: x^2 - 11x + 28")    -> "factor: x^2 - 11x + 28"
    informal("why is the derivative of x^3 equal to 3x^2?") -> "the derivative of x^3"
    unglue("solve6x+1=31"), unglue("limx->4 ...")       -> "solve 6x+1=31", "lim x->4 ..."

Students write chat-speak ("yo", "lol", "asap", "real quick", "what r a and b"), leave out the
space after an instruction word ("factor3x^2-5x-2", "from0 to 3") and, writing in a second
language, use other set phrases ("Make simple:", "Find primitive function of", "with limits 1
and 2"). Each rule here has one meaning: it either deletes filler that carries no quantity or
condition, or rewrites a phrase to the instruction the reader already handles. Nothing here
changes the math itself (a "why is ... equal to R?" question loses its claimed result R, never its task), so a reading stays as strict as before: every word left must still be
in the vocabulary and the math must still parse.
"""

from __future__ import annotations

import re

_B = r"(-?\d+(?:\.\d+)?(?:/\d+)?|-?\d*\s*pi(?:\s*/\s*\d+)?|-?oo|infinity|ln\s*\(?\d+\)?)"

# (pattern, replacement) on the lower-case question, in order
_RULES = [
    # filler: no quantity, no condition
    (r"\b(?:thanks|thank\s+you|thx|ty)\s+in\s+advance\b", " thanks "),
    (r"\bhw\b", "homework"),
    (r"^\s*(?:yo|yoo|hey|sup|ok|okay|so|um+|uh+)\b[\s,!]*", " "),
    (r"\b(?:lol|lmao|lmfao|rofl|pls+|plz|asap|bruh|thx|tysm|idk|omg|btw)\b", " "),  # never two-letter: "ty" may be t·y
    (r"\b(?:real|really|super)\s+(?:quick|fast)(?:ly)?\b|\bquick(?:ly)?\s+(?:question|one)\b|\bquick\b", " "),
    (r"\b(?:would|do|does|can|could|should|will)\s+(i|you|u|we)\s+even\b", r" \1 "),
    (r"\bcan\s+(?:some\s*one|any\s*one|somebody|anybody)\b", "can you"),
    (r"\?{2,}|!{2,}", " ? "),
    (r"\bwhat\s+r\s+(?=[a-z]\s+and\s+[a-z]\b|the\b)", "what are "),  # "what r a and b", never "what r is ..."
    (r"=\s*\?", " "),  # "f'(x) = ?", "x^2 - 5x + 6 = 0, x = ?": the question mark asks, it is no math
    (r"\bhow\s+much\s+(?:is|are|will\s+be)\b", " what is "),
    (r"\bthese\s+(?:2|two)\b|\bthe\s+(?:2|two)\s+(?=equations\b)", " these "),  # "solve these 2: A and B"
    # what x works for / satisfies / makes ...; for what (which) x is ...
    (r"\b(?:what|which)\s+(?:values?\s+of\s+)?([a-z])\s+(?:works?|satisf(?:y|ies)|makes?|holds?)(?:\s+(?:for|in|true))?\b",
     r" solve for \1 ; "),
    (r"\bfor\s+(?:what|which)\s+(?:values?\s+of\s+)?([a-z])\s+(?:is|does|do|will|holds?)\b", r" solve for \1 ; "),
    (r"\b(?:(?:leave|give|write|express)\s+(?:your\s+|the\s+)?(?:answers?|roots?|solutions?)\s+)?(?:in|as)\s+"
     r"(?:simplest\s+)?(?:surd|radical)\s+form\b", " "),  # the solver's roots are exact surds
    # non-native set phrases
    (r"\bmake\s+(?:it\s+)?(?:simple|simpler|easier)\b", " simplify "),
    (r"\b(?:decompose|break|split|expand|write)\s+(?:it\s+)?(?:in|into|on|to)\s+(?:the\s+)?(?:prime\s+)?factors\b",
     " factor "),
    (r"\bopen\s+(?:up\s+)?(?:the\s+)?(?:brackets|parentheses|parenthesis)\b", " expand "),
    (r"\b(?:the\s+)?primitive(?:\s+function)?s?\b", " antiderivative "),
    (r"\bwith\s+(?:the\s+)?(?:limits|bounds|borders)\s+(?:of\s+)?(?:from\s+)?" + _B + r"\s+(?:and|to)\s+" + _B + r"\b",
     r" from \1 to \2 "),
    (r"\b(?:of|from)\s+(?:the\s+)?function\b", " of "),
    (r"\bderivative\s+from\b", "derivative of"),
    (r"\bplease\s+to\b", "please"),
    (r"\b(?:from|of)\s+(?:the\s+)?(equations?|inequalit(?:y|ies)|system)\b", r" \1 "),  # "find x from equation ..."
    (r"\bwhat\s+(?:does|do|will)\s+(.+?)\s+(?:go|goes|tend|tends|approach|approaches)(?:\s+(?:to|towards))?\s+"
     r"(?=as\s+[a-z]\b)", r" limit of \1 "),  # "what does (1 + 2/x)^x go to as x -> oo"
    (r"\bwhen\s+([a-z])\s+(?:approaches|tends\s+to|goes\s+to)\b", r"as \1 approaches"),
    # "why is the derivative of x^3 equal to 3x^2?", "why does 2x + 3 = 7 give x = 2?": the task is
    # read and solved; the student's claimed result goes (the checked result is shown instead)
    (r"^\s*why\s+(?:is|does|do)\s+(.+?)\s+(?:equals?(?:\s+to)?|gives?|come\s+out\s+(?:as|to))\s+[^?]+\??\s*$",
     r" \1 "),
]  # fmt: skip
_RULE_RES = [(re.compile(p), r) for p, r in _RULES]

# an instruction word glued to the math after it: "solve6x", "factor3x^2", "from0", "limx->4"
_GLUED = re.compile(
    r"(?<![a-z])(solve|factor|factorise|factorize|expand|simplify|integrate|differentiate|evaluate|calculate"
    r"|from|to|and)(?=[-\d(])"
)
_GLUED_LIM = re.compile(r"(?<![a-z])lim(?=[a-z]\s*(?:->|→))")


def unglue(text: str) -> str:
    """A space put back between an instruction word and the math glued to it."""
    return _GLUED_LIM.sub("lim ", _GLUED.sub(r"\1 ", text))


def informal(text: str) -> str:
    """``text`` (lower case, typos corrected) with its chat-speak and set phrases rewritten."""
    for rx, repl in _RULE_RES:
        text = rx.sub(repl, text)
    return text
