"""Recall-first rules: a body-system word and an alarm word ANYWHERE in the same text.

The phrase rules in ``lexicon.py`` need the words close together and in a known order;
people in trouble do not write that way ("Pls help my uncle clutching his chest, grey and
sweaty"; "Father in law's speech went funny at lunch and his right leg is dragging").
These rules only ask that both kinds of word occur, so they catch paraphrases the phrase
rules miss, at the price of more mentions in study questions; ``framing.py`` then keeps
study questions from getting the emergency banner.

For suicidal thoughts there are two lists: strong words that are enough on their own
("funeral", "goodbyes", "rather be dead", "want out", "stop existing") and weaker ones
("die", "hopeless", "burden", "cliff") that need a first-person or reported-speech word
in the same text ("I", "my", "she keeps saying").

Format as in ``lexicon._RAW``: (category, pattern, context or None, negatable).
"""

from __future__ import annotations

_FIRST_OR_REPORTED = (
    r"\b(?:i|im|ive|id|ill|me|my|myself)\b|\b(?:he|she|they) (?:says|said|keeps saying|told|texted|posted|wrote)\b|"
    r"told me|keeps saying|keeps talking|been saying|talking about"
)

# fmt: off
BROAD_RAW: list[tuple[str, str, str | None, bool]] = [
    ("chest_pain", r"\bchest\b|breast ?bone|sternum",
     r"sweat\w*|clammy|grey|gray|pale|nause\w*|vomit\w*|jaw|clutch\w*|crush\w*|discomfort|pain(?!less)\w*|hurt\w*|ache\w*|aching|"
     r"tight\w*|heav\w*|pressure|squeez\w*", True),
    ("chest_pain", r"\bheart\b", r"crush\w*|squeez\w*|pain(?!less)\w*|hurt\w*|ache\w*|aching|vice|stabb\w*", True),

    ("stroke", r"\b(?:speech|words|talk\w*|speak\w*|voice)\b",
     r"funny|weird|slurr\w*|strange|wrong|not making sense|gibberish|muddled|garbled|jumbled|nonsense|mumbl\w*", True),
    ("stroke", r"\bface\b", r"not moving|droop\w*|one side|half|corner|lopsided|crooked|uneven|drool\w*|dropp\w*|fallen|sagg\w*|twist\w*", True),
    ("stroke", r"\b(?:arm|leg|hand|foot)s?\b",
     r"dragg\w*|went dead|gone dead|flop\w*|limp|not moving|wont move|(?:cant|cannot) (?:move|lift|feel|use)|paralys\w*|useless|gave way", True),
    ("stroke", r"(?:cant|cannot|couldnt|can not) see (?:properly|clearly|anything|out of|on)|vision (?:went|is going|gone)|bumping into things|"
               r"(?:cant|cannot|doesnt|dont|couldnt) understand (?:what|anything|words|us|me|a word)|half (?:of )?(?:her|his|my|their) (?:face|body)",
     None, True),

    ("headache", r"\bhead\w*|skull|migraine",
     r"worst|most (?:\S+ )?(?:painful|horrific|severe|intense|excruciating)|horrific|never had|exploding|explod\w*|\bbang\b|cracked|"
     r"thunder\w*|screaming|out of nowhere|of my life|like nothing|never felt|10 10", True),

    # systemic signs only: an itchy spot after strawberries is not an emergency
    ("anaphylaxis", r"swollen|swelling|swell\w*|puff\w*|wheez\w*|(?:cant|cannot|struggl\w* to|trouble) swallow\w*|"
                    r"throat|dizzy|faint\w*|light ?headed",
     r"\bate\b|eaten|eating|\bjab\b|injection|vaccin\w*|bitten|\bbite\b|contrast|allerg\w*|sting\w*|stung|\bbee\b|wasp|peanuts?|\bnuts?\b|"
     r"pistachio\w*|cashews?|shellfish|prawns?|penicillin|antibiotic\w*", True),

    ("breathing", r"suffocat\w*|dusky|whistl\w*|inhaled|clutch\w* (?:at )?(?:his|her|my|their) throat|turn\w* (?:blue|purple|grey|gray)|"
                  r"labou?red|(?:cant|cannot|wont|couldnt|unable to) cough", None, True),

    ("bleeding", r"\bblood\b|bleed\w*",
     r"pooing|pooping|\bpoo\b|stool|cough\w*|brought up|bringing up|vomit\w*|spit\w*|through (?:her|his|my|the|their) clothes|cupful|"
     r"fresh|bright red|pumping|pouring|gushing|streaming|everywhere|soak\w*|so much|loads|heaps|puddle|\bpool\b|clots?|gash", True),

    ("obstetric", r"gush\w*|\bcord\b|bleed\w*|blood|pain(?!less)\w*|headache|faint\w*|swell\w*|puffy|vision|cramp\w*|contraction\w*",
     r"had (?:her|his|my|the|a|our) baby|given birth|gave birth|pregnan\w*|\bexpecting\b|weeks along|months along|^\d{1,2} ?(?:weeks?|wks?)\b", True),

    ("overdose", r"(?:mixed|mixing|combined|took|drank|had|swallowed|ate) {g4}(?:sleeping|washing up|dish\w*|cleaning|laundry|toilet|oven|"
                 r"liquid|tablets|pills|batter\w*|chemical\w*|cleaner)", r"whisky|vodka|alcohol|wine|beer|liquid|bottle|batter\w*|detergent|bleach|"
                 r"chemical\w*|tablets|pills|cleaner|toddler|three year old|two year old|\d year old|kid|child|baby", True),

    ("unconscious", r"slump\w*|(?:no|any|get a|getting a|get any|getting any) (?:reaction|response)|(?:hasnt|not|wont|didnt|havent|cant) "
                    r"(?:\S+ )?come (?:round|around|to)\b", None, True),

    ("child", r"listless|not taking (?:\S+ )?(?:bottles?|feeds?|milk|breast)|weak cry|(?:soft spot|fontanelle) {g2}bulg\w*|floppy", rf"baby|infant|newborn|week old|weeks old|month old", True),

    ("abdominal", r"\b(?:belly|stomach|tummy|abdomen|abdominal|groin|loin|flank)\b|\bside\b(?! effects?)",
     r"killing|rigid|agoni\w*|excruciat\w*|comes in waves|unbearable|worst|screaming|doubled|rock hard|hard as", True),

    # suicidal thoughts: strong words alone, weak words with a first-person or reported-speech word
    ("suicide", r"funeral|goodbyes|rather be dead|\bwant out\b|no future|(?:stop|cease to|not) exist\w*|tonight is the night|"
                r"everything (?:is )?(?:ready|planned|sorted)|deadly|lethal|disappear\w* (?:for good|forever)|lifes not worth|"
                r"cuts on (?:my|his|her|their) (?:arms|wrists|legs|thighs)|(?:try|tried|trying|attempt\w*) to (?:die|kill|end)", None, False),
    ("suicide", r"\bdie\b(?! (?:of|from|in))|\bdead\b(?! (?:cells|skin|space|tissue))|hopeless|worthless|pointless|\bburden\b|"
                r"feels? like (?:a )?relief|\bcliff\b|\bbridge\b|\bend it\b|\bend things\b|give up on (?:life|everything)",
     _FIRST_OR_REPORTED, False),
]
# fmt: on
