"""What counts as a red-flag symptom: concept patterns per category.

Patterns run on ``normalize()``d text (lower case, no apostrophes, words separated by
one space), so "can't" is written ``cant`` and "dad's" ``dads``. In a pattern,
``{gN}`` stands for "up to N other words" (``(?:\\S+ ){0,N}``).

A ``Rule`` fires when its pattern matches; a rule with ``context`` also needs the
context pattern to match somewhere else in the text (pregnancy + bleeding, allergen +
wheeze, infection + confusion). ``negatable`` rules are dropped when a negation ("no",
"denies", "without", "don't have") stands just before the match; suicide rules never
are, because their phrasings often contain a negation themselves ("don't want to live").

A ``term`` rule only names a condition ("DKA", "anaphylaxis", "MI"): a named condition
with no person and no symptom described is a study topic, not an emergency.

This file says WHAT a symptom is; ``framing.py`` says WHO has it and whether the
question is about someone now or about a textbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.medical.lexicon_broad import BROAD_RAW
from tutor.medical.lexicon_signs import SIGNS

# category id -> the label shown to the student (in this order)
CATEGORIES: dict[str, str] = {
    "suicide": "suicidal thoughts or self-harm",
    "chest_pain": "chest pain that may be a heart attack",
    "stroke": "signs of a stroke",
    "headache": "a sudden severe headache",
    "anaphylaxis": "a severe allergic reaction",
    "breathing": "trouble breathing",
    "bleeding": "severe bleeding",
    "obstetric": "a pregnancy emergency",
    "sepsis": "signs of sepsis",
    "meningitis": "signs of meningitis",
    "seizure": "a seizure",
    "overdose": "an overdose or poisoning",
    "unconscious": "collapse or loss of consciousness",
    "child": "a very unwell baby or child",
    "diabetic": "a diabetic emergency",
    "abdominal": "severe abdominal pain",
    "injury": "a serious injury",
    "other": "symptoms that need urgent care",
}


def _p(pattern: str) -> str:
    """Expand ``{gN}`` gaps."""
    return re.sub(r"\{g(\d)\}", r"(?:\\S+ ){0,\1}", pattern)


def near(a: str, b: str, n: int) -> str:
    """``a`` then ``b`` with at most ``n`` words between, in either order."""
    return rf"(?:\b(?:{a})\b (?:\S+ ){{0,{n}}}(?:{b})\b|\b(?:{b})\b (?:\S+ ){{0,{n}}}(?:{a})\b)"


@dataclass(frozen=True)
class Rule:
    category: str
    pattern: re.Pattern[str]
    context: re.Pattern[str] | None = None
    negatable: bool = True
    term: bool = False  # the name of a condition ("DKA", "anaphylaxis"), not a symptom described
    unless: re.Pattern[str] | None = None  # anywhere in the text, cancels the rule ("after my run")
    strong: bool = False  # a specific family: calm cues ("fine now", "a bit") may not overrule it


TERM = "term"  # in _RAW: a negatable rule that only names a condition
STRONG = "strong"  # in _RAW: a negatable rule of a specific family (see ``Rule.strong``)


# --------------------------------------------------------------------------- shared vocabulary
MY = r"(?:my|his|her|their|your|the)"
PAIN = (
    r"pain(?!less)\w*|hurt\w*|ache|aches|aching|achy|pressure|tight|tightness|tightening|heavy|heaviness|squeez\w*|"
    r"crush\w*|discomfort|burning|sore|stabbing|agony|weight|band|vice|elephant"
)
CHEST = r"chest|breastbone|breast bone|sternum|heart|ribs|rib cage"
FEVER = (
    r"(?<!hay )fever\w*|temperature|temp|burning up|rigou?rs|shivering|chills|"
    r"(?:temp\w*|fever|thermometer|reading|reads) (?:\S+ ){0,3}(?:3[7-9]|4[0-2])(?:\.\d+)?|"
    r"(?:3[89]|4[0-2])(?:\.\d+)? ?(?:c|degrees)\b|10[0-5](?:\.\d+)? ?(?:f|degrees)\b|fever (?:3[89]|4[0-2])"
)
PREGNANCY = (
    r"pregnan\w*|expecting|gestation|trimester|due date|"
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine) (?:months?|mths?) pregnant|"
    r"\d{1,2} ?(?:weeks?|wks?|wk) (?:pregnant|along|gestation|gest|pg)|"
    r"(?:^|\b(?:at|im|i am|shes|she is|were|we are|only|now|currently|is|and)) \d{1,2} ?(?:weeks?|wks?|wk)\b|"
    r"^\d{1,2} ?(?:weeks?|wks?|wk)\b|\b\d{1,2} ?(?:weeks?|wks?|wk)$"
)
POSTPARTUM = (
    r"gave birth|given birth|had (?:my|the|a|our|her|his) baby|just delivered|delivered (?:\S+ ){0,2}(?:days?|weeks?) ago|"
    r"after (?:the )?(?:delivery|birth|giving birth|my c ?section)|post ?partum|since (?:the )?birth"
)
BABY = (
    r"baby|babies|infant|newborn|new born|neonate|toddler|little one|"
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven) ?(?:day|week|wk|month|mth|mo)s? ?old"
)
YOUNG_INFANT = (
    r"newborn|new born|neonate|(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) ?"
    r"(?:day|week|wk)s? ?old|(?:1|2|one|two) ?(?:month|mth|mo)s? ?old"
)
INFECTION = (
    r"infect\w*|uti|pneumonia|cellulitis|catheter|chemo\w*|neutropeni\w*|surgery|operation|post op|"
    r"wound (?:\S+ ){0,2}(?:red|hot|pus|smell\w*|oozing)|abscess"
)
SEPSIS_SIGNS = (
    r"confus\w*|muddled|not making sense|disorient\w*|very drowsy|drowsy|hard to (?:wake|rouse)|"
    r"barely (?:responding|responsive|conscious)|not responding|mottled|blotchy|patchy|purple\w*|"
    r"cold (?:and )?(?:clammy|hands|feet|skin)|hands (?:are )?(?:freezing|ice cold|cold)|"
    r"(?:havent|hasnt|not|no|hardly) (?:peed|urinated|passed urine|weed|had a wee)|no urine|"
    r"(?:heart|pulse) (?:\S+ ){0,2}(?:racing|going|pounding|1[2-9]\d)|breathing (?:\S+ ){0,1}(?:fast|rapid\w*|quick\w*)|"
    r"feel\w* like (?:im|i am) (?:going to die|dying)|feel\w* like death|shaking (?:\S+ ){0,2}(?:uncontrollabl\w*|so hard)|"
    r"teeth chatter\w*|rigou?rs|sepsis|septic"
)
DIABETES = r"diabet\w*|type ?(?:1|one|i)\b|t1d?\b|insulin|blood sugar|sugars?|glucose|\bbg\b|ketones?|glucometer|meter"
INGEST = r"mixed|mixing|took|taken|take|taking|swallow\w*|ate|eaten|eating|drank|drunk|drinking|chew\w*|had|injected|snorted|got into|licked"
HARMFUL = (
    r"bleach|detergent|(?:dishwasher|laundry|washing|washing machine) (?:tablet|pod|capsule|liquid)s?|pods?|"
    r"button batter\w*|batter(?:y|ies)|magnets?|antifreeze|anti freeze|weed ?killer|rat poison|pesticide\w*|"
    r"cleaning (?:product|fluid|stuff|spray)|drain cleaner|white spirit|paraffin|lighter fluid|mushrooms|"
    r"heroin|fentanyl|opioids?|methadone|oxy\w*|morphine|cocaine|ecstasy|mdma|ketamine|xanax|benzos?|"
    r"sleeping (?:pills|tablets)|heart (?:pills|tablets|meds)|blood pressure (?:pills|tablets|meds)|"
    r"(?:(?:his|her|my|their|someone elses|\w+s) )(?:\S+ )?(?:pills|tablets|meds|medication|medicine)"
)
PILLS = (
    r"(?:too many|a lot of|lots of|loads of|a load of|a handful of|handful of|a bunch of|bunch of|a pack of|a whole|the whole|all (?:of )?(?:my|his|her|the)|"
    r"(?:[89]|[1-9]\d|\d{3})|twenty|thirty|forty|fifty|double|extra|a double|an extra) (?:\S+ ){0,6}"
    r"(?:pills|tablets|meds|medication|paracetamol|acetaminophen|tylenol|ibuprofen|aspirin|insulin|codeine|dose|doses|"
    r"caps|capsules|antidepressants|painkillers)"
)


# --------------------------------------------------------------------------- the rules
# (category, pattern, context or None, negatable or TERM); one rule per line, long lines kept
# fmt: off
_RAW: list[tuple[str, str, str | None, bool | str]] = [
    # ---- suicidal thoughts / self-harm: many phrasings, direct and indirect
    ("suicide", r"suicid\w*|\bkms\b|unalive\w*|kill\w* (?:my|him|her|them|your)sel(?:f|ves)", None, False),
    ("suicide", r"(?:end\w*|take|taking|took) (?:my|his|her|their|your) (?:own )?life|end\w* (?:it all|things|everything|it)\b", None, False),
    ("suicide", r"(?:want|wanna|wanted|wants|wish\w*|ready|going|plan\w*|hope|rather|prefer|longing|try\w*|tried|attempt\w*) "
                r"{g2}(?:to )?(?:die|be dead|disappear|vanish|not (?:be )?(?:alive|here|around|exist)|not wake up|never wake up|"
                r"sleep forever|go to sleep (?:and|forever))\b", None, False),
    ("suicide", r"wish (?:i|he|she) (?:was|were|had|could)? ?(?:just )?(?:dead|die|never been born|not born|gone|not exist|disappear)", None, False),
    ("suicide", r"(?:better|happier) (?:off )?(?:dead|without (?:me|him|her)|if (?:i|he|she) (?:just )?(?:was|were|wasnt|werent|was not|were not|died|disappeared|left)\b)", None, False),
    ("suicide", r"(?:world|everyone|everybody|they|family) (?:\S+ ){0,3}better (?:\S+ ){0,2}without me", None, False),
    ("suicide", r"(?:no|not any|any|whats the|what is the|whats even the|what is even the|see the|see no|lost (?:the|my)) "
                r"(?:reason|point|purpose|will|use) {g2}(?:to |of |in )?(?:go on|going on|live|living|life|being alive|carry on|"
                r"carrying on|keep going|be alive|be here|anymore|any more|existing|stay alive)\b", None, False),
    ("suicide", r"(?:cant|cannot|can not|dont think i can|dont want to|do not want to|dont wanna|not sure i can|doesnt want to|does not want to|didnt want to) {g2}"
                r"(?:go on|do this anymore|take (?:it|this) anymore|keep going|keep living|live like this|carry on|be alive|"
                r"live anymore|exist|be here anymore|cope anymore|stay alive|live|be here|wake up)\b", None, False),
    ("suicide", r"(?:keep|go on|continue|carry on) living like this|(?:tired|sick|done) (?:of|with) (?:living|being alive|life|existing|everything|it all)", None, False),
    ("suicide", r"(?:not|wont|will not|no longer) be (?:here|around) {g2}(?:anymore|much longer|for long|soon|tomorrow)|not being (?:here|around) anymore|(?:wasnt|werent|was not|were not) (?:here|around) anymore", None, False),
    ("suicide", r"just (?:wasnt|werent) (?:around|here)|if i (?:just )?(?:wasnt|werent|was gone|were gone|disappeared|died)", None, False),
    ("suicide", r"(?:wont|will not|not going to) need (?:them|it|these|those|my things|anything) {g1}(?:soon|anymore|much longer)|giv\w* away {g2}(?:things|stuff|belongings|possessions|dog|cat|pet)", None, False),
    ("suicide", r"(?:(?:goodbye|suicide|farewell) (?:letter|note|message|text|post)s?|(?:wrote|writing|left|sent|posted) {g2}goodbye)"
                r"(?! (?:\S+ ){0,1}(?:to|for) (?:my |the |our )?(?:school|class|team|colleague|students|job|work|company|office|boss|teacher))", None, False),
    ("suicide", r"(?:take|taking|took|swallow\w*) (?:all|every one|the whole|a whole) {g3}(?:pills|tablets|meds|medication|bottle|box|pack|packet) {g2}(?:at once|together|in one go)", None, False),
    ("suicide", r"how many {g4}(?:would it take|it would take|to die|to kill|to overdose|to od|is lethal|is a lethal dose|to not wake up|to never wake up|would kill)", None, False),
    ("suicide", r"(?:going to|gonna|want\w* to|plan\w* to|thinking (?:of|about)|about to) (?:take|taking|swallow\w*|overdose|od) "
                r"(?:on )?(?:all|every|the whole|a whole|a bunch|loads|lots|\d+)\b", None, False),
    ("suicide", r"lethal dose|overdose on purpose|(?:want|going|plan\w*|thinking of|thinking about) {g1}(?:to )?(?:overdose|od)\b", None, False),
    ("suicide", r"(?<!skipping )(?<!jump )(?<!climbing )(?<!tow )\brope\b(?! (?:swing|ladder|burn|course|bridge))|\bnoose\b|hang\w* (?:my|him|her|them)sel(?:f|ves)|(?:have|got|made|making) a plan\b|plan to (?:die|end|kill)", None, False),
    ("suicide", r"(?:jump\w*|step\w*|throw\w* (?:my|him|her)self|walk\w*|lie|lying|lay) (?:out )?(?:in front of|under|onto|off|from|into) {g2}"
                r"(?:train|bus|car|lorry|truck|traffic|tracks|bridge|roof|building|cliff|balcony|window|ledge|river|sea)", None, False),
    ("suicide", r"(?:driv\w*|crash\w*|steer\w*) {g3}into (?:a |the |an )?(?:wall|tree|lorry|truck|bridge|river|oncoming\w*|traffic|pole)", None, False),
    ("suicide", r"self ?harm\w*|self ?injur\w*|(?:cut|cutting|burn|burning|hurt|hurting|harm|harming|punish\w*|starv\w*|scratch\w*) (?:my|him|her|them)sel(?:f|ves)", None, False),
    ("suicide", r"(?:cut\w*|slit\w*|slash\w*) (?:my|his|her|their) wrists?|(?:cutting|burning|scratching|carving) (?:my|his|her|their) (?:arms|thighs|legs|skin|wrists)", None, False),
    ("suicide", r"hate (?:my|him|her)sel(?:f|ves)|(?:im|i am|feel like|feel like im|am) {g2}(?:a )?burden\b|waste of (?:space|oxygen|air|life)", None, False),
    ("suicide", r"(?:nobody|no one|noone|nobody else) (?:would|will|is going to)? ?(?:even )?(?:care|cares|miss|notice)\b|(?:wouldnt|would not) (?:even )?(?:miss|notice) (?:me|if i)", None, False),
    ("suicide", r"sleep forever|go to sleep and (?:never|not) wake up|never wake up again|(?:to|and|would) not wake up", None, False),
    ("suicide", r"(?:no|dont see a|cant see a|cannot see a|only one|cant see any|dont see any|cannot see any) way (?:out|forward|through)|way out {g3}(?:except|but|other than) (?:dying|death|to die|suicide)", None, False),
    ("suicide", r"disappear (?:for good|forever|for ever|permanently)|(?:thinking|think|thoughts?) {g2}(?:about|of) (?:death|dying|ending|killing|not being here)|dark thoughts|life (?:isnt|is not|aint|not) worth|not worth living|nothing to live for|will to live", None, False),
    ("suicide", r"(?:life|everything|living|existing) (?:is|feels|seems) {g1}(?:pointless|meaningless|hopeless)|(?:feel|feeling|felt) {g2}hopeless|hopelessness|"
                r"painless way|ways? to (?:die|kill (?:my|him|her)self|end it)|how to (?:die|kill (?:my|him|her)self|end it|end my life|overdose|hang)|"
                r"(?:would|will|could|to|going to) kill me\b|how many {g4}(?:is|are) too many|(?:plan\w*|going|want\w*|thinking|think) (?:about |of )?(?:to )?jump\w*\b|"
                r"(?:pills|tablets) {g2}(?:saved|stockpiled|hidden|stashed|ready)|(?:not|wont|will not|no longer) (?:going to |gonna )?be (?:here|around)\b|"
                r"(?:what happens )?if i (?:overdose|od|took|take|swallow\w*) (?:all|every|\d+|too many|a lot|the whole|a whole)|what happens if i (?:overdose|od)\b", None, False),
    ("suicide", r"(?:dont|do not|dont really|not sure i|dont think i|doesnt|does not) {g3}want to (?:be here|live|be alive|exist|go on|wake up|be around)|"
                r"(?:throw\w*|hurl\w*|fling\w*) (?:my|him|her|them)sel(?:f|ves)|(?:stop|stops) (?:my|his|her|their) heart|"
                r"(?:wrote|written|writing|left|leave|leaving) (?:a |my |his |her )?(?:note|letter)s? (?:for|to) |"
                r"(?:jump\w*|fall\w*) (?:off|from) (?:the |a )?(?:\S+ ){0,2}(?:car park|building|roof|bridge|cliff|balcony|tower|block|flats)", None, False),
    ("suicide", r"(?:im|i am) (?:so )?done\b(?! with (?:my|the|this|that|it|work|school|exams?|studying|revising))|want (?:it|everything|this|things|all of this|the pain|life) (?:all )?to (?:stop|end|be over)|make it (?:all )?stop", None, False),

    # ---- chest pain / heart attack
    ("chest_pain", near(CHEST, PAIN, 5), None, True),
    ("chest_pain", r"chest {g2}(?:feels?|feeling|is) {g1}(?:funny|weird|strange|odd|wrong)", None, True),
    ("chest_pain", r"(?:sitting|standing|sat|stood|pressing) on (?:my|his|her|the) (?:chest|ribs)", None, True),
    ("chest_pain", r"heart attack|cardiac arrest|angina|\bn?stemi\b|acute coronary|coronary syndrome|myocardial infarct\w*|\bmi\b", None, TERM),
    ("chest_pain", near(r"pain(?!less)\w*|ache\w*|aching|pressure|tight\w*|heav\w*|discomfort|numb\w*|tingl\w*",
                        r"(?:spread\w*|radiat\w*|going|goes|went|moving|moves|shoot\w*|travel\w*|up|down|into) {g3}(?:to |into |down |up )?"
                        r"(?:my |his |her |the |their )?(?:left )?(?:arm|arms|jaw|shoulder|shoulder blade|neck)", 6), None, True),
    ("chest_pain", r"left arm {g3}(?:numb\w*|ache\w*|aching|pain(?!less)\w*|heavy|tingl\w*)|(?:numb\w*|aching|pain(?!less)\w*|tingl\w*) (?:in |down )?(?:my |his |her )?left arm", None, True),
    ("chest_pain", r"(?:tearing|ripping) (?:pain|feeling|sensation)", None, True),

    # ---- stroke (not "stroke volume", "heat stroke", "breaststroke")
    ("stroke", r"(?<!heat )(?<!breast )(?<!back )(?<!brush )(?<!key )\bstrokes?\b(?! (?:volume|work|index|of (?:luck|genius)))|\btia\b|transient isch\w* attack", None, TERM),
    ("stroke", near(r"face|mouth|smile|lip|eyelid", r"droop\w*|dropp\w*|dropped|lopsided|crooked|uneven|sagg\w*|sag|slump\w*|twisted|weird|wonky|fallen|paralys\w*|frozen|numb\w*", 4), None, True),
    ("stroke", r"one side of (?:my|his|her|their|the) (?:face|mouth|body)|(?:face|mouth) (?:\S+ ){0,3}on one side", None, True),
    ("stroke", r"slurr\w*|garbled|gibberish|wrong words|(?:words|speech) {g2}(?:coming out|come out|came out|sound\w*|is|are) {g1}(?:wrong|funny|weird|jumbled|strange|muddled|off)", None, True),
    ("stroke", r"(?:cant|cannot|can not|unable to|trouble|struggling to|hard to|cannae) (?:speak|talk|get (?:\S+ ){0,1}words out|find (?:\S+ ){0,1}words)|(?:speak|talk)\w* (?:properly|right|normally)", None, True),
    ("stroke", near(r"arm|arms|leg|legs|hand|side|grip|limb|limbs", r"weak\w*|numb\w*|dead|limp|heavy|paralys\w*|went (?:dead|numb|limp|weak)|(?:cant|cannot|wont|unable to) (?:lift|move|feel|grip|hold|raise)", 4), None, True),
    ("stroke", r"(?:cant|cannot|unable to|wont) (?:hold|grip|lift|raise) (?:anything|things|his|her|my|a|the)|dropp\w* (?:his|her|my|the) (?:cup|phone|fork|glass|spoon)", None, True),
    ("stroke", r"(?:lost|losing|loss of|lose) (?:the |his |her |my )?(?:vision|sight)|(?:cant|cannot) see (?:out of|from|with) (?:one|my|his|her)|(?:went|gone|going) blind|sudden\w* {g3}(?:double vision|blind\w*|vision)", None, True),
    ("stroke", r"(?:cant|cannot) walk (?:straight|properly)|(?:suddenly|all of a sudden) {g3}confus\w*|confus\w* {g2}all of a sudden", None, True),

    # ---- sudden severe headache
    ("headache", near(r"worst|sudden\w*|thunderclap|explosive|exploding|10 10|10 out of 10|out of nowhere|like a bang|like being hit",
                      r"headache|head ache|head pain|pain in (?:my|his|her|the) head|head|skull", 5), None, True),
    ("headache", r"headache {g4}(?:came on|started|hit|struck) {g3}(?:sudden\w*|like a|out of nowhere|in seconds|instantly|all at once)|thunderclap", None, True),
    ("headache", near(r"severe|splitting|terrible|awful|excruciating|blinding|horrendous|unbearable|bad", r"headache|head pain", 3),
                 r"confus\w*|drowsy|vomit\w*|throw\w* up|threw up|stiff|vision|double|light|faint\w*|passed out|slurr\w*|pregnan\w*", True),

    # ---- severe allergic reaction
    ("anaphylaxis", r"anaphyla\w*|allergic reaction", None, TERM),
    ("anaphylaxis", near(r"throat|airway|windpipe", r"clos\w*|tight\w*|swell\w*|swollen|narrow\w*|thick", 3), None, True),
    ("anaphylaxis", near(r"tongue|lips?|mouth", r"swell\w*|swollen|puff\w*|massive|huge|thick|ballooning|blowing up", 3), None, True),
    ("anaphylaxis", r"(?:use|used|using|give|gave|need|needs|grab) {g2}(?:epipen|epi pen|auto ?injector|adrenaline)",  None, True),
    ("anaphylaxis", near(r"face|eyes?|eyelids?|lips?|tongue|body", r"swell\w*|swollen|puff\w*|massive|huge|blowing up", 3),
                    r"allerg\w*|sting\w*|stung|bee|wasp|hornet|peanuts?|nuts?|cashews?|shellfish|prawns?|shrimp|satay|sesame|penicillin|antibiotic\w*|medication|medicine|tablet", True),
    ("anaphylaxis", r"hives|welts|urticaria|itchy all over|rash all over|wheez\w*|faint\w*|dizzy|light ?headed|pass out|passing out|breath\w*|hoarse|croaky|voice|throat|swell\w*|swollen|collaps\w*",
                    r"allerg\w*|sting\w*|stung|\bbee\b|wasp|hornet|peanuts?|\bnuts?\b|cashews?|shellfish|prawns?|shrimp|satay|sesame|epipen", True),

    # ---- trouble breathing
    ("breathing", r"(?:cant|cannot|can not|unable to|struggl\w* to|hard to|trouble|difficulty|problems?|hardly|barely|not able to|couldnt) {g1}"
                  r"(?:breathe|breath|breathing|get (?:\S+ ){0,1}(?:air|a breath|breath|air in)|catch (?:my|his|her|their) breath)", None, True),
    ("breathing", r"(?:not|stopped|isnt|wasnt|no longer|stops) breathing|gasp\w*|chok\w*|struggling for (?:air|breath)|fighting for (?:air|breath)|short(?:ness)? of breath|breathless\w*|(?:so|very|really|completely|badly) out of breath|out of breath (?:at rest|sitting|lying|talking|doing nothing|all the time)|panting|air hunger|stridor", None, True),
    ("breathing", r"(?:lips?|face|fingers?|skin|tongue|baby|mouth) {g3}(?:turn\w*|gone|going|look\w*|are|is|went) {g1}(?:blue|grey|gray)|blue (?:lips|face|fingers|tinge)", None, True),
    ("breathing", near(r"wheez\w*", r"badly|so hard|bad|severe|really|cant|can not|inhaler|worse|struggling", 3), None, True),
    ("breathing", r"(?:bad|severe|serious|big|worst|major) asthma attack|asthma attack {g3}(?:not|isnt|wont|cant)", None, True),
    ("breathing", r"(?:inhaler|reliever|puffer|ventolin|salbutamol|nebuli[sz]er) {g3}(?:not working|isnt working|doesnt work|does nothing|not helping|isnt helping|no help|useless|didnt help)", None, True),
    ("breathing", r"(?:ribs|chest|tummy|skin|neck) {g2}(?:sucking|pulling|drawing|sinking) in|grunting|(?:only|can only|cant) (?:say|speak|talk) {g2}words|(?:cant|cannot|unable to) (?:finish|complete|speak in) {g2}sentences?", None, True),
    ("breathing", r"breath\w* (?:is |are )?{g1}(?:really |very |so )?(?:fast|rapid|quick|shallow|slow|noisy|weird|strange|funny|irregular|labou?red)", None, True),
    ("breathing", near(r"drool\w*", r"(?:cant|cannot|unable to|trouble|wont) swallow\w*", 4), None, True),

    # ---- severe bleeding
    ("bleeding", near(r"severe|heavy|heavily|uncontrol\w*|profuse\w*|massive|lots of|loads of|a lot of|so much|tons of|pouring|gushing|spurting|pumping|streaming|squirting|pool of|soaking|soaked",
                      r"bleed\w*|blood", 2), None, True),
    ("bleeding", r"ha?emorrhag\w*", None, TERM),
    ("bleeding", r"blood {g2}(?:everywhere|pouring|gushing|spurting|pumping|soaking|streaming|wont stop|not stopping)", None, True),
    ("bleeding", r"bleed\w* {g4}(?:wont|will not|doesnt|does not|not|cant|cannot|isnt|hasnt) {g1}(?:stop|stopping|stopped|slow\w*)|(?:wont|will not|doesnt|does not|cant|cannot) (?:stop|slow) {g1}bleed\w*", None, True),
    ("bleeding", r"(?:wont|will not|doesnt|does not|isnt) slow\w* down", r"blood|bleed\w*", True),
    ("bleeding", r"(?:vomit\w*|throw\w* up|threw up|puk\w*|cough\w* up|coughing|spitting|spit\w* up|being sick|sick) {g3}(?:blood|bloody|coffee grounds?)", None, True),
    ("bleeding", r"(?:black|tarry|tar like|maroon|bloody) {g2}(?:poo|poop|stool|stools|bowel motions?)|passing (?:\S+ ){0,1}clots|soak\w* {g3}(?:pads?|towels?|bandages?|through)", None, True),

    # ---- pregnancy emergencies
    ("obstetric", r"bleed\w*|blood|spotting|clots?|(?:fluid|water) (?:\S+ ){0,2}(?:leak\w*|gush\w*)|waters? (?:has |have )?(?:broke|broken|gone)|headache|vision|seeing (?:spots|sparkles|stars|flashing|lights|things)|flashing lights|"
                  r"swollen|swelling|puffy|pain(?!less)\w*|cramp\w*|contractions?|fits?\b|seizure|faint\w*|dizzy|(?:not|less|stopped|hasnt|havent|didnt|cant|no) {g3}(?:move|moving|moved|kick\w*|movements?)|quiet\w*|fewer kicks|less active|fever|soak\w*|"
                  r"(?:moving|moved|kicking|kicks|movements?) {g2}(?:less|fewer|reduced|slow\w*)|reduced (?:fetal |baby )?movements?",
                  rf"{PREGNANCY}|{POSTPARTUM}", True),
    ("obstetric", r"(?:my |her |the )?waters? (?:has |have )?(?:broke|broken)|baby {g4}(?:hasnt moved|not moving|moving less|stopped moving|kicking less|less kicks|not kicking|stopped kicking|moved less)|ectopic", None, True),
    ("obstetric", r"one side|one sided|shoulder tip|faint\w*|bleed\w*|sharp pain", r"positive (?:pregnancy )?test|missed (?:my )?period|late period|period is late", True),

    # ---- sepsis
    ("sepsis", r"\bseps\w*|septic", None, TERM),
    ("sepsis", SEPSIS_SIGNS, rf"{FEVER}|{INFECTION}", True),
    ("sepsis", FEVER, r"chemo\w*|neutropeni\w*|after (?:\S+ ){0,2}(?:surgery|operation|op)\b", True),

    # ---- meningitis
    ("meningitis", r"meningit\w*|meningococ\w*", None, TERM),
    ("meningitis", r"non ?blanching|glass test|press\w* {g3}glass|"
                   r"(?:rash|spots|blotches|marks) {g6}(?:doesnt|does not|dont|do not|wont|not|didnt|dont) (?:fade|go away|disappear|blanch)", None, True),
    ("meningitis", r"stiff neck|neck stiff\w*|neck {g2}(?:stiff\w*|too sore to (?:bend|move)|hurts to (?:bend|move)|cant bend|rigid)",
                   rf"{FEVER}|headache|rash|light|vomit\w*", True),
    ("meningitis", r"purple {g2}(?:spots|rash|blotches|bruis\w*)|(?:cant|cannot) (?:bear|stand|look at|tolerate) (?:the )?(?:light|lights|bright)|photophob\w*|bulging (?:soft spot|fontanelle)",
                   rf"{FEVER}|headache|neck", True),

    # ---- seizure
    ("seizure", r"status epilepticus|epilep\w*", None, TERM),
    ("seizure", r"seiz\w*|convuls\w*|fitting|(?:having|had|has|in|a|another|getting|gets|got) (?:a )?fits?\b|epileptic (?:fit|attack)|eyes {g1}rolled (?:back|up)|foam\w* at the mouth|"
                r"went (?:rigid|stiff) {g3}(?:jerk\w*|shak\w*)|start\w* (?:jerking|convulsing|fitting|twitching)|(?:shaking|jerking|twitching) {g3}(?:and )?(?:not|isnt|wasnt|wont|cant) (?:respond\w*|wake|stop)", None, True),

    # ---- overdose / poisoning
    ("overdose", r"overdos\w*|\bod\b|poison\w*|carbon monoxide|toxicity", None, TERM),
    ("overdose", r"(?:took|taken|had|taking|take|done) (?:an |a )?(?:overdose|od)\b|\boded\b|\bodd\b|poisoned|co alarm|gas leak|"
                 r"got into (?:the )?(?:medicine|pills|cabinet|cupboard|cleaning)", None, True),
    ("overdose", r"fumes", r"breath\w*|dizz\w*|headache\w*|vomit\w*|drowsy|faint\w*|confus\w*|collaps\w*|unconscious|sleepy|inhal\w*|passed out|cough\w*", True),
    ("overdose", rf"(?:{INGEST}) {{g6}}(?:{HARMFUL}|{PILLS})", None, STRONG),
    ("overdose", r"(?:paracetamol|tablets|pills|co codamol|ibuprofen) {g2}every (?:hour|1 hour|2 hours|two hours|couple of hours)|"
                 r"(?:\d+|two|three|four|five) (?:packets|packs|boxes|bottles|strips) of|(?:\d+|two|three|four) times the (?:max\w*|recommended) dose", None, STRONG),

    # ---- collapse / loss of consciousness
    ("unconscious", r"pass(?:ed|ing|es)? out|faint\w*|black\w* out|collaps\w*|unconscious|unresponsive|keeled over|out cold|(?:just|suddenly) went down\b|went down (?:in|on) the|dropped to the (?:floor|ground)|"
                    r"not (?:responding|responsive|answering|waking)|isnt (?:responding|answering|waking)|wont wake|wont respond|(?:cant|cannot|can not) (?:wake|rouse)|"
                    r"(?:hard|difficult|impossible) to (?:wake|rouse)|barely (?:wake|rouse|respond\w*|responsive)|hardly respond\w*|found {g2}on the (?:floor|ground)|went (?:all )?limp|"
                    r"knocked out|lost consciousness|syncop\w*", None, True),
    ("unconscious", r"(?:very|really|suddenly|so) (?:confused|disoriented)|not making sense", None, True),

    # ---- very unwell baby or child
    ("child", rf"{FEVER}|hot\b|warm\b|feverish", YOUNG_INFANT, True),
    ("child", r"floppy|limp|unresponsive|hardly respon\w*|barely respon\w*|wont wake|hard to wake|cant wake|barely wake|high ?pitched cry|"
              r"(?:not|wont|refus\w*|isnt|stopped|hasnt) (?:\S+ ){0,1}(?:feed\w*|eat\w*|drink\w*)|no wet (?:nappies|diapers)|(?:bulging|sunken) (?:soft spot|fontanelle)|"
              r"grunt\w*|(?:very|so|really|too) (?:sleepy|drowsy)|letharg\w*", BABY, True),

    # ---- diabetic emergency
    ("diabetic", r"\bdka\b|ketoacidosis|\bhhs\b|hyperosmolar|diabetic (?:coma|emergency)", None, TERM),
    ("diabetic", r"(?:blood sugar|sugars?|glucose|\bbg\b|\bbm\b) (?:is |was |of |reads |reading |at |level |levels |now |only )*"
                 r"(?:[3-9]\d\d|[2-6]\d(?:\.\d)?|[1-3]\.\d)\b", None, True),
    ("diabetic", r"vomit\w*|throw\w* up|puk\w*|being sick|ketones? (?:\S+ ){0,2}(?:high|positive|\d)|(?:high|positive) ketones|with ketones|fruity|nail polish|pear drops|acetone|"
                 r"deep {g1}breath\w*|breathing (?:deep|fast|heavy)|confus\w*|drowsy|not making sense|slurr\w*|cant wake|wont wake|unconscious|unresponsive|"
                 r"(?:says|reads|reading|shows) hi\b|meter {g2}hi\b|(?:sugar|sugars|glucose|bg) {g2}(?:really |very |dangerously |too )?(?:low|high)",
                 DIABETES, True),

    # ---- severe abdominal pain
    ("abdominal", near(r"stomach|belly|tummy|abdomen|abdominal|abdo|groin|testic\w*|testes|scrotum|appendix",
                       r"severe|worst|agony|agonising|agonizing|excruciating|unbearable|screaming|doubled over|sudden\w*|rigid|hard as a board|rock hard|board ?like", 5), None, True),
    ("abdominal", r"belly button {g6}(?:lower right|right side|right lower)|vomit\w* {g2}(?:green|bile|poo)|(?:cant|cannot) (?:pass|fart) (?:wind|gas)|testic\w* {g3}(?:swollen|swelling|pain(?!less)\w*|hurt\w*|sore)", None, True),

    # ---- serious injury
    ("injury", r"(?:hit|hits|bang\w*|bumped|knocked|smack\w*|fell|landed) {g6}(?:head|skull)\b|head (?:injury|injuries|trauma)|concussion",
               r"vomit\w*|being sick|threw up|sick|confus\w*|drowsy|sleepy|passed out|knocked out|blood thinners|warfarin|anticoag\w*|apixaban|rivaroxaban|unequal pupils|seizure|fluid", True),
    ("injury", r"\b(?:burn\w*|scald\w*|boiling (?:water|oil)|fire|flames)\b", r"blister\w*|charred|blackened|whole (?:arm|leg|body|chest|back|face)|face|airway|smoke|skin peeling|peeling|"
               r"large|big|huge|chest|back|severe|deep|third degree|full thickness|electrical|chemical", True),
    ("injury", r"electric\w* shock|electrocut\w*|struck by lightning|drown\w*|pulled {g3}out of (?:the )?(?:pool|water|sea|river|lake|bath)|heat ?stroke|hypotherm\w*|"
               r"bone {g3}(?:sticking out|through the skin|poking out)|(?:been|got|was|were) (?:stabbed|shot)|stab wound|gunshot|hit by a (?:car|bus|truck|lorry)", None, True),

    # ---- other emergencies: cauda equina, priapism, urinary retention, chemical eye injury, acute glaucoma
    ("other", r"cauda equina|priapism|angle closure|acute glaucoma", None, TERM),
    ("other", r"(?:numb\w*|no feeling|tingl\w*|cant feel (?:anything )?) {g4}(?:saddle|bum|bottom|buttocks|between (?:my|his|her|the) legs|privates|genitals|groin)|saddle (?:numb\w*|an(?:a)?esthesia)", None, True),
    ("other", r"(?:erection|hard on|penis {g3}hard) {g6}(?:\d+|two|three|four|five|six|several|many) hours|(?:erection|hard on) {g3}(?:wont|will not|isnt|not) go\w* down", None, True),
    ("other", r"(?:cant|cannot|unable to|havent been able to|hasnt been able to|couldnt) (?:\S+ ){0,2}(?:pee|wee|urinate|pass urine|pass water)", r"pain(?!less)\w*|bladder|swollen|agony|back|hours", True),
    ("other", r"(?:bleach|chemical\w*|drain cleaner|oven cleaner|lime|cement|acid|alkali|ammonia|caustic) {g6}(?:eye|eyes)\b|\b(?:eye|eyes) {g4}(?:bleach|chemical\w*|cleaner|acid|alkali)", None, True),
    ("other", r"halos? (?:around|round) (?:the )?lights?|(?:sudden\w*|suddenly) {g3}(?:lost|lose|losing) {g4}(?:vision|sight)", r"pain(?!less)\w*|red|vomit\w*|sick|blurr\w*|eye", True),
]
# fmt: on

def _word(pattern: str) -> re.Pattern[str]:
    """A ``lexicon_signs`` pattern, whole words only."""
    return re.compile(rf"\b(?:{_p(pattern)})\b")


RULES: tuple[Rule, ...] = tuple(
    Rule(cat, re.compile(_p(pattern)), re.compile(_p(context)) if context else None, bool(kind), kind == TERM, strong=kind == STRONG)
    for cat, pattern, context, kind in [*_RAW, *BROAD_RAW]
) + tuple(
    Rule(s.category, _word(s.pattern), _word(s.context) if s.context else None, s.negatable,
         unless=_word(s.unless) if s.unless else None, strong=s.strong)
    for s in SIGNS
)
assert {r.category for r in RULES} == set(CATEGORIES), "every category needs rules and a label"

# "no chest pain", "denies headache", "without bleeding", "I don't have a fever"
NEGATION = re.compile(
    r"(?:\bno|\bnot|\bdenies|\bdenied|\bwithout|\bnever|\bdont have|\bdoesnt have|\bdidnt have|\bhavent had|\bhasnt had|\babsence of|\bnegative for) (?:\S+ ){0,1}$"
)
