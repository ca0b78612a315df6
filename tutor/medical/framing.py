"""Who has the symptom, and when: a person now, or a textbook case?

A red-flag word alone does not make an emergency: "first-line drugs for focal seizures"
and "A 58-year-old man presents with crushing chest pain" are study questions, while
"my dad has crushing chest pain" is someone who may be in danger now. This module finds
the signals of each framing in ``normalize()``d text:

- ``personal``: a specific person and a present situation: "my dad", "my chest", "I have",
  "I can't", "since this morning", "20 minutes ago", "what should I do", "is this ...?";
- ``educational``: study framing: "first-line", "mechanism of", "pathophysiology",
  "differential", "signs of", "vs", an exam vignette ("a 58-year-old man presents with",
  "Q: 66M ...", "most likely diagnosis"), or study context ("my exam", "lecture").

When the question is about study (exam, lecture, revising, "quiz me"), first-person verbs
("I have an exam", "I keep forgetting"), time words ("we had a lecture today") and
help-seeking ("how should I take a history") do not count as personal; "my" + a person or a body part still does ("my dad", "my chest").

For suicidal thoughts a narrower study framing applies (``SUICIDE_EDUCATIONAL``): only
clearly academic questions ("risk factors for suicide", "SSRIs and suicidal ideation in
adolescents") count, and ANY first-person word outside a study phrase counts as personal,
because recall matters more than false alarms there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RELATIONS = (
    r"mom|mum|mother|mam|ma|dad|father|pa|papa|husband|wife|partner|spouse|son|daughter|child|children|kid|kids|"
    r"baby|babies|toddler|infant|newborn|twins|friend|mate|bestie|roommate|flatmate|housemate|brother|bro|sister|sis|"
    r"grandma|grandpa|grandmother|grandfather|gran|granny|grandad|granddad|grandson|granddaughter|nan|nana|nanna|"
    r"uncle|aunt|auntie|aunty|cousin|nephew|niece|boyfriend|girlfriend|bf|gf|fiance|fiancee|hubby|missus|neighbour|neighbor|"
    r"colleague|coworker|co worker|boss|classmate|teammate|flatmates|parents?|stepdad|stepmom|stepmum|in laws?|"
    r"patient|client|boy|girl|little one|lad|sibling|family"
)
_BODY = (
    r"chest|heart|head|face|arm|arms|leg|legs|hand|hands|foot|feet|neck|throat|tongue|lips?|mouth|eyes?|vision|sight|"
    r"speech|words|voice|stomach|belly|tummy|abdomen|back|skin|breath|breathing|sugars?|blood|glucose|ketones|temp|"
    r"temperature|fever|nose|wound|cut|fingers?|toes|pulse|heart rate|pee|urine|poo|stool|period|pads?|bump|waters?|"
    r"side|body|ribs|calf|groin|testicles?|balls?|nuts?|sack|scrotum|privates|crotch|inhaler|epipen|pills|tablets|meds|medication|insulin|life|wrists?|thighs?|"
    r"husband|lungs?|jaw|shoulder|ears?|bleeding|vomit|sick|bp|blood pressure|meter|reading|ketone"
)
_PERSONAL = [
    # my dad, my 6 week old, my dads face, my chest
    rf"\bmy (?:\S+ ){{0,1}}(?:{_RELATIONS}|{_BODY})s?\b",
    rf"\bmy (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) ?(?:day|week|wk|month|mth|mo|year|yr)s? ?old\b",
    rf"\bour (?:\S+ ){{0,1}}(?:{_RELATIONS})s?\b",
    # Dad keeps saying..., Mums got..., husband says...
    rf"(?:^|\b(?<!a )(?<!the )(?<!if a )(?<!when a )(?<!your ))(?:mum|mom|mam|dad|grandma|grandpa|granny|grandad|gran|nan|husband|wife|hubby|"
    rf"bf|gf|boyfriend|girlfriend|flatmate|roommate|housemate|mate|nephew|niece|baby|toddler|newborn|partner)s? "
    rf"(?:is|has|was|had|just|keeps|got|says|said|cant|wont|went|fell|collapsed|started|seems|looks|feels|woke|isnt|hasnt|having)\b",
]
# help-seeking, here and now (not counted when the asker says they are studying:
# "I'm preparing for my OSCE, how should I take a history ...")
_HELP = [
    r"what (?:should|do|can|shall) (?:i|we) do|what to do (?:now|next)|what to do$|should (?:i|we) (?:go|call|take|wait|be worried|worry|use|give|see|ring|phone)|"
    r"do (?:i|we) (?:need|have) to (?:go|call|see|take)|is (?:this|it|that|he|she) (?:an emergency|serious|normal|bad|dangerous|ok|okay|alright)|"
    r"(?<!how )(?<!why )(?<!when )(?<!where )(?<!what )\b(?:is|could) (?:this|it) (?:be )?(?:a |an )?\S+$|\bcould (?:this|it) be\b|\bis (?:this|it) (?:a |an )?(?:heart attack|stroke|sepsis|anaphylaxis|meningitis|dka|seizure|an overdose)|"
    r"\bam i (?:having|dying|ok|okay|going to)|\bis (?:my|he|she) (?:\S+ ){0,2}having\b|"
    r"(?:call|ring|phone|get) (?:an )?(?:911|999|112|ambulance|paramedics)|\bambulance\b|\b(?:911|999|112)\b|"
    r"go to (?:the )?(?:er|a e|emergency|hospital|urgent care|casualty)|kindly advise|please help|help me\b(?! (?:revise|understand|learn|remember|study|memori[sz]e|with (?:my|this|the) (?:exam|essay|homework|assignment)))|"
    r"\bhelp\b$|\bpls\b|\bplz\b|probably nothing|should i be worried|\bim (?:so )?(?:scared|worried|panicking|freaking out)",
]
# first-person experience: I have, I can't, I took, I want to ..., I've been ...
_FIRST_PERSON = [
    r"\b(?:i|im|ive|id|ill|i am|i have)\b (?:\S+ ){0,2}(?:have|has|had|got|get|getting|feel|feeling|felt|woke|started|took|taking|take|ate|drank|"
    r"swallowed|cut|sliced|hit|fell|fainted|passed|collapsed|vomited|threw|coughed|bleeding|pregnant|expecting|diabetic|on|"
    r"cant|cannot|want|wanna|wish|hate|plan|planning|having|been|think|keep having|keep getting|keep vomiting|keep feeling|keep thinking|"
    r"noticed|found|watched|pulled|spilled|accidentally|lost|see|stand|stood|wrote|suddenly|just)\b(?! (?:a|an|one|some) (?:question|doubt|exam|test|quiz|lecture|class))",
    # "took about 20 ibuprofen", "feel shaky", "been vomiting": first person without the I
    r"^(?:feel|feeling|felt|took|taken|ate|drank|swallowed|got|been|having|had|woke|cant|hit|cut|sliced|spilled|pulled|found|"
    r"accidentally|just|pregnant|gave birth|bee sting|stung|sudden|suddenly|literally|honestly|sometimes|nobody|everyone|whats the point|"
    r"think|thinking|pretty sure|worried|scared|help|please|urgent|emergency|sos)\b",
]
# time words that place the symptom in the present
_NOW = (
    r"right now|just now|at the moment|currently|as we speak|as i type|tonight|today|this (?:morning|afternoon|evening)|"
    r"since (?:this|last|yesterday|morning|an hour|\d+|the|lunch|breakfast|dinner)|for the (?:last|past) (?:\S+ ){0,1}(?:minutes|mins|hours|hrs|days)|"
    r"(?:\d+|a few|few|an|a|ten|twenty|thirty|forty|two|three|five) (?:\S+ ){0,1}(?:minutes?|mins?|hours?|hrs?|h) (?:ago|now)|"
    r"started (?:\S+ ){0,2}ago|all day|all night|since yesterday|last night|getting worse|all of a sudden|still (?:\S+ ){0,3}(?:hour|later)"
)
_STUDY = (
    r"\b(?:anatomy|pharm\w*|physiology|exam|written|practical|class|unit|quiz|mock|board|final|mcq|oral) test\b|\btest tomorrow|"
    r"\bexams?\b|\bexamination\b|\bosce\b|\busmle\b|\bplab\b|\bmccqe\b|\bfinals\b|\bboards\b|\brevis\w*|\bstudying\b|\bstudy (?:for|guide)|"
    r"\blectures?\b|\blecturer\b|\bprofessor\b|\btutor\b|\bteacher\b|\btextbook\b|\bnotes\b|\bflashcards?\b|\brotation\b|\bplacement\b|"
    r"\bclass\b|\bcourse\b|\bhomework\b|\bassignment\b|\bessay\b|\bmnemonic\b|\b(?:med|medical|nursing) school\b|"
    # "nursing student", "my students"; not "student here, I've got a fever" or "uni student"
    r"\b(?:med|medical|nursing|pharmacy|paramedic|dental|psychology|psych|physio\w*|midwifery|vet|biology|health|science|pa|a level|gcse) students?\b|\bstudents\b|\bstudent (?:nurse|midwife|paramedic|doctor)s?\b|"
    r"\bcurriculum\b|\bsyllabus\b|\bquiz me\b|\bteach me\b|\bhelp me (?:revise|understand|learn|remember|study)\b|\bmake a table\b|"
    # role-play requests: "pretend to be a parent whose toddler swallowed bleach", "act as a patient"
    r"\brole ?play\w*|\bpretend (?:to be|you are|youre)\b|\b(?:act|acting) as (?:a|an|my)\b|\bplay (?:a|the) (?:patient|parent|relative|witness)\b|"
    r"\bsimulat\w+ (?:a|an) (?:patient|case|trauma|call)\b|\bmark scheme\b|\bstation\b"
)
_EDUCATIONAL = (
    r"\bfirst ?line\b|\bsecond ?line\b|\bdrugs? of choice\b|\b(?:treatment|management|manage|treat|approach|work ?up|investigations?|assessment|"
    r"screening|prophylaxis|antibiotics|reversal agent|imaging) (?:of|for|to|in)\b|\bmechanisms?\b|\bpathophysiolog\w*|\bpatho\b|\bpathogenesis\b|"
    r"\ba?etiolog\w*|\bepidemiolog\w*|\bincidence\b|\bprevalence\b|\bprognos\w*|\bpharmacolog\w*|\bphysiolog\w*|\banatomy\b|\bhistolog\w*|"
    r"\bcomplications? of\b|\brisk factors?\b|\bprotective factors?\b|\bcauses? (?:of|for)\b|\bcauses\b|\bdifferentials?\b|\bdiagnos\w* (?:of|criteria)\b|"
    r"\bcriteria\b|\bclassif\w*|\bdefinition\b|\bdefine\b|\bguidelines?\b|\bguidance\b|\bprotocol\b|\bbundle\b|\balgorithm\b|\bnomogram\b|"
    r"\bscores?\b|\bscale\b|\btriad\b|\b\w+s sign\b|\bsigns? (?:and symptoms )?of\b|\bsymptoms of\b|\bfeatures? of\b|\bfeatures\b|\bpresentation\b|"
    r"\bfindings\b|\becg (?:changes|findings)\b|\beeg\b|\bcsf\b|\blab (?:findings|results)\b|\bdosing\b|\bdosage\b|\bwhat dose\b|\bcontraindicat\w*|"
    r"\bside effects?\b|\badverse (?:effects?|reactions?)\b|\bantidotes?\b|\bindicat\w*|\bteratogen\w*|\bvs\b|\bversus\b|\bcompare\b|\bcomparison\b|"
    r"\bcontrast\b|\bdifference between\b|\bdifferences\b|\bdistinguish\b|\bdifferentiate\b|\btell (?:\S+ ){1,5}(?:from|apart)\b|\bexplain\w*|"
    r"\bdescribe\b|\bsummar\w*|\boverview\b|\blist\b|\boutline\b|\bpatients?\b|\bin (?:adults|children|infants|neonates|the elderly|older adults|"
    r"teenagers|adolescents|pregnancy|athletes|newborns|toddlers|women|men)\b|\btheory\b|\bevidence\b|\bwhy (?:do|does|is|are|would|can|might)\b|"
    r"\bhow (?:is|are|do you|does|do doctors|do we|would you) (?:\S+ ){0,4}(?:treated|managed|diagnosed|calculated|assessed|work|cause|caused|recogni[sz]e|classified|used)\b|"
    r"\bhow (?:do|would|should|can) (?:you|we|doctors|nurses|clinicians) (?:manage|treat|diagnose|assess|recogni[sz]e|approach|calculate|"
    r"investigate|examine|take|perform|ask|tell|distinguish|differentiate|spot|identify)\b|\bhow (?:to|should one) (?:manage|treat|recogni[sz]e)\b|"
    r"\bwhat (?:is|are) (?:a|an|the)\b(?! (?:point|use|reason|purpose)\b)|\bwhat (?:is|are) \S+s\b|\bwhat causes\b|\bwhat does (?:\S+ ){1,5}(?:mean|indicate|suggest|signify)\b|"
    r"\bused for\b|\bwhat is the role\b|\bnormal (?:range|rate|value)\b|\bstages\b|\bmeaning\b|\btypical\b|\bclassic\b|\bmost common\b|"
    r"\bif (?:someone|somebody|a person|a patient|a child|a baby|an adult|a man|a woman|you|your)\b|\bwhat (?:should|do|would|can) you do\b|"
    r"\bfirst aid\b|\b(?:can|does|do|could) (?:\S+ ){1,3}cause\b|\bis (?:\S+ ){1,4}always\b|\bwhat happens\b|"
    r"\bhow (?:long|often|much|many|quickly|fast) (?:does|do|is|are|can|should|will|would)\b|"
    r"^which\b|\bwhich (?:\S+ ){0,2}(?:is|are|causes?|should|would)\b|\bmost (?:dangerous|likely|common|appropriate|important)\b|\bassess\w*|"
    # first-aid myths and general questions: "should you put butter on a burn?", "is it true ...", "myth or fact"
    r"\bshould you\b|\bdo you (?:\S+ ){0,2}(?:put|give|hold|tilt|use|need|pop|rub|suck|make|keep|still|breathe|lean)\b|\bcan you (?:\S+ ){0,2}(?:give|use|swallow|get|grow)\b|"
    r"\bis it (?:true|a myth|an? old wives|still recommended)\b|\bmyths?\b|\bold wives\b|\bor is that\b|\bfirst aid (?:quiz|course|class|question|training|exam)\b|"
    # febrile convulsions are a study topic unless someone is having one ("my son is fitting" is personal)
    r"\bfebrile (?:convulsions?|seizures?)\b|\brecurrence\b|\bproportion\b|\blink between\b|\bsafety netting\b|\bmcqs?\b|\bcounsel\w*|\bleaflet\b|\bhereditary\b|"
    r"\bwhat do we know\b|\bhow should (?:journalists|doctors|nurses|teachers|schools|parents|we|a nurse|a gp)\b|\brole of\b|\bsafety plan\w*"
)
# clinicians' words a person in trouble rarely uses; they mark a study question unless
# a personal signal says otherwise ("my dad is having an ischaemic stroke")
_JARGON = (
    r"\bischa?emic\b|\binfarct\w*|\bthromboly\w*|\bthrombectomy\b|\bha?emorrhag\w*|\ban(?:a)?esthe\w*|\bantibiotics\b|"
    r"\bantidepressants?\b|\bantiepileptics?\b|\banticonvulsants?\b|\bbenzodiazepines?\b|\bsuspected\b|\bempiric\w*|\bprophyla\w*|"
    r"\bsequelae\b|\bsyndromes?\b|\blesions?\b|\bpathways?\b|\breceptors?\b|\bintubat\w*|\btocoly\w*|\bhypersensitivity\b|"
    r"\btoxidromes?\b|\btime window\b|\bneonat\w*|\bp(?:a)?ediatric\w*|\bgeriatric\w*|\bacute\b|\bchronic\b|\bclinical\w*|"
    r"\bpharmaco\w*|\bmonitor(?:ed|ing)\b|\btherapy\b|\bnomenclature\b"
)
_VIGNETTE = (
    r"\b(?:a|an)? ?\d{1,3} ?(?:year|yr|y|month|week|day)s? ?old (?:man|woman|male|female|boy|girl|patient|child|infant|baby|gentleman|lady|"
    r"mother|primigravida|multigravida|nulliparous|student|athlete|runner|smoker|teacher|farmer)\b|"
    r"^q \d|^q \w|\bquestion \d|\b\d{1,3} ?(?:m|f|yo|yom|yof)\b(?= .*(?:\bwhich\b|\bwhat\b|diagnosis|management|most likely|next))|"
    r"\b(?:presents|presented|presenting|is brought|was brought|attends|is admitted|develops) (?:\S+ ){0,4}(?:with|to|in)\b|"
    # "comes to the ED with", not a symptom that "comes in waves"
    r"\bcomes (?:in )?(?:to (?:the )?(?:ed|er|a e|clinic|surgery|gp|emergency|department|hospital|practice)|with)\b|"
    r"\bmost likely\b|\bnext (?:best )?step\b|\bbest initial\b|\bwhich of the following\b|\bwhat is the diagnosis\b|\bdiagnosis and\b|\bmanagement\b$"
)
# the symptom is over: "my dad had a heart attack last year", "I had a seizure three years ago"
_PAST = (
    r"\blast (?:year|month|summer|winter|spring|autumn|fall|decade)\b|\b(?:\d+|a few|few|two|three|four|five|six|several|many|some) "
    r"(?:years|months) ago\b|\byears ago\b|\bas a (?:child|baby|kid|teenager)\b|\bwhen (?:i|he|she) was (?:a |little|younger|\d)|"
    r"\brecovered\b|\bwas treated\b|\bwas diagnosed\b|\bused to\b|\bin the past\b|\bwell controlled\b|\bhistory of\b|"
    r"\bis fine now\b|\bits fine now\b|\bfine now\b|\bgone now\b|\bpassed (?:straight away|quickly|in a second)\b|\bfeel fine\b"
)
# the asker says it is mild: "a bit sore", "a small cut", "it went away"
_MILD = (
    r"\b(?:a bit|a little|slight\w*|mild\w*|small|tiny|minor|for a (?:second|moment)|for a few seconds|went away|goes away|"
    r"(?:it |that )?passed|comes and goes|nothing serious|not (?:too |that )?bad|just a (?:cold|cough|graze|scratch|bruise))\b|"
    # everyday, self-limiting complaints: sore muscles after the gym, hay fever, a vaccine
    r"\bdoms\b|\bleg day\b|\b(?:muscles?|pecs|abs|quads|hamstrings|calves|glutes|triceps|biceps|delts|lats|traps|thighs|arms|legs|shoulders|forearms) "
    r"(?:\S+ ){0,3}(?:sore|ache|aching|achy|stiff|tight|burning|destroyed|killing me|like jelly)\b|\b(?:sore|aching|achy|stiff) (?:\S+ ){0,1}(?:muscles?|pecs|abs|quads|hamstrings|calves|glutes)\b|"
    r"\bafter (?:\S+ ){0,3}(?:gym|workout|leg day|bench press|bench|push ?ups|pull ?ups|squats|deadlifts?|crossfit|spin class|hiit|boxing class|boxing workout|core class|climbing wall|weights)\b|"
    r"\bhay ?fever\b|\bpollen\b|\bantihistamines?\b|\bsneez\w*|\brunny nose\b|\bblocked nose\b|\bvaccin\w*|\bjabs?\b|\bbooster\b"
)
# figures of speech that borrow red-flag words: "I'm dead tired", "this exam is killing me"
_IDIOM = (
    r"\bdead (?:tired|on my feet|boring|easy|serious|ahead)\b|\bkilling (?:it|time)\b|\b(?:is|are|was) killing me\b|\bkill(?:ing)? me now\b|"
    r"\b(?:could|would|gonna|going to|will|might) (?:actually |literally )?kill (?:him|her|them|my (?:\S+ ){0,1}(?:partner|flatmate|roommate|brother|sister|"
    r"lecturer|teacher|boss|group|mate|friend))\b|\bkill for\b|\bdie of (?:embarrassment|boredom|laughter|shame|cringe)\b|\bdying (?:to|for|of boredom|of laughter)\b|"
    r"\bto die for\b|\b(?:phone|laptop|battery|car|motivation|wifi|computer)s? (?:is |was |has |just )?(?:dead|died)\b|\bdied (?:on me|a death)\b|"
    r"\b(?:bored|scared|worried|frozen) to death\b|\bdeath of me\b|\bdrowning in\b|\bbreaking point\b|\bgoing to explode\b|\bnearly died laughing\b|"
    r"\b(?:a )?(?:mini )?heart attack when\b|\bmy heart (?:sank|is breaking|is not in it|isnt in it|s not in it)\b|\bheart(?:s| is) not in it\b|"
    r"\bstroke of (?:luck|genius)\b|\bliterally (?:dead|dying)\b|\b(?:lol|haha|lmao|hahaha)\b|\bmurder\b|\bkiller\b|"
    r"\b(?:cooking|food|job|boss|commute|exams?|module|lecturer|teacher|homework|revision|workload|deadline|stress|heat|traffic|hangover|kids) "
    r"(?:\S+ ){0,2}(?:is |are )?(?:going to|gonna|will|would) (?:actually |literally )?kill me\b"
)
_SUICIDE_EDUCATIONAL = (
    r"\brisk factors?\b|\brisk assessment\b|\bassess\w*|\bscreen\w*|\bepidemiolog\w*|\bprevalence\b|\bincidence\b|\brates?\b|\bscale\b|\bscore\b|"
    r"\btheory\b|\bprevention\b|\bwarning\b|\bideation in\b|\bpatients?\b|\badolescents\b|\bteenagers\b|\bolder adults\b|\belderly\b|\bpsychiatr\w*|"
    r"\bdoctors?\b|\bgps?\b|\bclinicians?\b|\bnurses?\b|\bguidelines?\b|\bevidence\b|\blithium\b|\bssris?\b|\bantidepressants?\b|\bblack box\b|"
    r"\bdisorders?\b|\bdefine\b|\bdefinition\b|\bdifference between\b|\bvs\b|\bexplain\b|\bsummar\w*|\boverview\b|\blist\b|\bprotective factors\b|"
    r"\bdurkheim\w*|\bmeans restriction\b|\bsad persons\b|\bcolumbia\b|\bnon suicidal\b|\bwhy do (?:people|patients|teenagers|some people)\b|"
    r"\bpeople who\b|\bwarning signs\b"
)
# first-person words that are only about studying: "my textbook", "I'm studying"
_STUDY_PHRASES = re.compile(
    r"\bmy (?:\S+ ){0,1}(?:textbook|exam|exams|lecture|lecturer|professor|tutor|notes|class|course|teacher|rotation|finals|osce|boards|"
    r"test|quiz|essay|assignment|homework|revision|placement)\b|\b(?:i|im|i am|ive|ive got|i have) (?:\S+ ){0,2}(?:studying|revising|student|"
    r"preparing|learning|reading|read|learnt|learned|heard|exam|test|lecture|quiz|question|doubt|rotation|placement)\b|\bhelp me (?:revise|understand|learn|remember|study)\b|"
    r"\bquiz me\b|\bteach me\b"
)
_FIRST_PERSON_WORD = re.compile(r"\b(?:i|im|ive|id|ill|me|my|myself|mine)\b")

PERSONAL = re.compile("|".join(f"(?:{p})" for p in _PERSONAL))
HELP = re.compile("|".join(f"(?:{p})" for p in _HELP))
FIRST_PERSON = re.compile("|".join(f"(?:{p})" for p in _FIRST_PERSON))
NOW = re.compile(_NOW)
STUDY = re.compile(_STUDY)
EDUCATIONAL = re.compile(f"{_EDUCATIONAL}|{_JARGON}|{_STUDY}")
VIGNETTE = re.compile(_VIGNETTE)
SUICIDE_EDUCATIONAL = re.compile(_SUICIDE_EDUCATIONAL)  # on top of EDUCATIONAL
PAST = re.compile(_PAST)
MILD = re.compile(_MILD)
IDIOM = re.compile(_IDIOM)


@dataclass(frozen=True)
class Framing:
    """The framing signals found in a question (each a tuple of matched phrases)."""

    personal: tuple[str, ...]       # someone specific, now
    educational: tuple[str, ...]    # study framing or an exam vignette
    vignette: bool                  # an exam-style case ("a 58-year-old man presents with ...")
    study: bool                     # the asker says they are studying
    first_person: tuple[str, ...]   # first-person words outside study phrases (for suicidal thoughts)
    suicide_educational: tuple[str, ...]
    someone: tuple[str, ...] = ()   # a specific person or body part: "my dad", "my chest", "our baby"
    past: tuple[str, ...] = ()      # the symptom is over ("last year", "years ago", "fine now")
    mild: tuple[str, ...] = ()      # the asker says it is mild ("a bit sore", "went away")
    idiom: tuple[str, ...] = ()     # a figure of speech ("dead tired", "this exam is killing me")


def _all(rx: re.Pattern[str], text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.group(0).strip() for m in rx.finditer(text) if m.group(0).strip()))


def framing(norm: str) -> Framing:
    """The framing signals of ``norm`` (text already passed through ``normalize``)."""
    study = bool(STUDY.search(norm))
    unstudied = _STUDY_PHRASES.sub(" ", norm)  # "my professor said chest pain ..." is not about the asker
    personal = list(_all(PERSONAL, unstudied))
    if not study:
        personal += _all(HELP, norm) + _all(FIRST_PERSON, norm) + _all(NOW, norm)
    vignette = _all(VIGNETTE, norm)
    educational = _all(EDUCATIONAL, norm) + vignette
    first_person = _all(_FIRST_PERSON_WORD, unstudied)
    return Framing(
        personal=tuple(dict.fromkeys(personal)),
        educational=tuple(dict.fromkeys(educational)),
        vignette=bool(vignette),
        study=study,
        first_person=first_person,
        suicide_educational=tuple(dict.fromkeys(educational + _all(SUICIDE_EDUCATIONAL, norm))),
        someone=_all(PERSONAL, unstudied),
        past=_all(PAST, norm),
        mild=_all(MILD, norm),
        idiom=_all(IDIOM, norm),
    )
