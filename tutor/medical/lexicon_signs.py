"""Rule families with a clear phrase shape, added for the kinds of emergency the phrase rules
in ``lexicon.py`` missed on new phrasings:

- suicide methods and near-attempts described without the word (a hose on the exhaust, the
  edge of the platform, pills counted out, a belt on the wardrobe rail, "I've decided",
  "tying up loose ends", "didn't go through with it");
- vital-sign numbers: oxygen saturation under 92, a child's temperature of 39.5 or more, a
  heart rate over 130 at rest;
- a child with no wee / dry nappies / sunken eyes; one-sided pain or fainting with a positive
  pregnancy test; regular tightenings before 37 weeks asked about as Braxton Hicks;
  no spleen (or sickle cell, chemo) with a fever; early meningococcal signs (a few spots,
  cold hands and feet, leg pain, with a fever); croup with stridor or drooling; scalds on a
  child (hot drink, kettle, bath, with blisters or peeling skin); an insulin dose taken twice;
  torsion in slang ("agony in my ball"); aphasia ("nothing comes out", "word salad"); an
  atypical heart attack ("indigestion" with sweating and vomiting); bowel obstruction and
  appendicitis in everyday words.

Each entry is a ``Sign``: the category, the pattern, an optional context that must match
elsewhere in the text, an optional ``unless`` pattern that cancels the rule when it matches
anywhere ("after my run" for a heart rate), whether a negation just before cancels the match,
and ``strong``: a calm cue ("fine now", "a bit") may not let the classifier overrule it (a
paracetamol overdose yesterday "feeling fine now" is exactly the dangerous case).
Patterns run on ``normalize()``d text; ``{gN}`` is "up to N other words" (see ``lexicon.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sign:
    category: str
    pattern: str
    context: str | None = None
    unless: str | None = None
    negatable: bool = True
    strong: bool = False


_CHILD = (
    r"baby|babies|infant|newborn|toddler|little one|child|children|kid|kids|son|daughter|boy|girl|twins|grandson|granddaughter|"
    r"niece|nephew|(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) ?(?:day|week|wk|month|mth|mo|year|yr)s? ?olds?|"
    r"\d{1,2} ?(?:yo|y o|yrs?|months?|mths?)\b|(?:he|she) is \d{1,2}\b|(?:hes|shes) \d{1,2}\b|nappy|nappies|diaper"
)
_FEVER = (
    r"(?<!hay )fever\w*|temperature|\btemp\b|burning up|rigou?rs|shiver\w*|chills|feverish|hot and cold|"
    r"(?:3[89]|4[0-2])\.\d ?(?:c|degrees)?|(?:3[89]|4[0-2]) ?(?:c|degrees|celsius)\b|10[0-5](?:\.\d+)? ?(?:f|degrees)\b"
)
_NO_SPLEEN = (
    r"no spleen|without a spleen|dont have a spleen|lost (?:my|his|her|their) spleen|spleen (?:\S+ ){0,3}(?:removed|taken out|out|doesnt work|not working)|"
    r"splenectom\w*|asplen\w*|hyposplen\w*|sickle cell|chemo\w*|neutropeni\w*|neutrophils (?:are )?low|immunosuppress\w*|transplant"
)
_EXERCISE = (
    r"\b(?:run|runs|running|ran|jog\w*|sprint\w*|exercis\w*|workout|work out|working out|gym|training|cycl\w*|spin class|hiit|"
    r"climb\w*|stairs|hill|race|match|cardio|treadmill|max heart rate|zone \d)\b"
)
_INSULIN = r"insulin|lantus|novorapid|humalog|tresiba|levemir|toujeo|humulin|fiasp|basal|bolus"
_PREG_TEST = (
    r"positive|pregnan\w*|bfp|(?:pee|preg|pregnancy) (?:stick|test)|period (?:is |was )?(?:\S+ ){0,3}late|late period|"
    r"missed (?:my |her )?period|ivf|expecting|\d{1,2} ?(?:weeks?|wks?) (?:pregnant|along)|(?:im|i am|shes|she is|about|only) \d{1,2} ?(?:weeks?|wks?)\b"
)

# fmt: off
SIGNS: list[Sign] = [
    # ---- suicide: methods, near-attempts, farewells (never negatable: "didn't go through with it")
    Sign("suicide", r"hose\w*|hoover tube|tubing|tube (?:from|to|into|through|going|in)|pipe from the exhaust|exhaust (?:\S+ ){0,4}(?:into|through|in) (?:the )?(?:car|window)",
         r"exhaust|garage|car|window", negatable=False, strong=True),
    Sign("suicide", r"engine (?:\S+ ){0,2}(?:running|on)|car (?:\S+ ){0,1}(?:was )?running",
         r"garage|windows? (?:\S+ ){0,1}(?:up|shut|closed)|doors? (?:\S+ ){0,1}(?:shut|closed)|(?:dont|not|never) wake|sleepy|the one|hose|closed", negatable=False, strong=True),
    Sign("suicide", r"charcoal|disposable barbecues?|barbecues? (?:in|inside) (?:the |my |a )?(?:tent|room|bedroom|car|bathroom)",
         r"tent|room|bedroom|car|bathroom|tap\w*|vents?|windows?|flap|zip\w*|closed|shut|sealed", negatable=False, strong=True),
    Sign("suicide", r"(?:taped|sealed|blocked) (?:\S+ ){0,2}(?:windows?|vents?|door gap|gaps)|gas is on|(?:helium|nitrogen) (?:\S+ ){0,3}(?:canister|tank|bag)|exit bag|"
                    r"(?:certain|a) gas (?:\S+ ){0,3}(?:painless\w*|does it)", None, negatable=False, strong=True),
    Sign("suicide", r"(?<!back from )(?<!back from the )(?:edge of (?:the )?platform|platform edge|yellow line)|(?:trains?|ones) (?:that |which )?(?:dont|do not|doesnt) stop|fast (?:trains?|ones|express)|"
                    r"(?:on|onto|along|across|sat on|sitting on|lying on|lay on|stood on) (?:the )?(?:train |railway |rail )?(?:tracks|railway line|train line)|level crossing (?:\S+ ){0,8}(?:didnt move|last second)|"
                    r"circled (?:\S+ ){0,4}(?:express|fast|train)", None, negatable=False, strong=True),
    Sign("suicide", r"(?:edge|ledge|railing|parapet) of (?:the |a |my )?(?:\S+ ){0,2}(?:roof|bridge|building|car park|multi ?storey|multistorey|cliff|quarry|balcony|platform|pier|tower|flats?|block)|"
                    r"(?:legs|feet) (?:\S+ ){0,2}(?:over the (?:side|edge|railing|water)|outside)|(?:climbed|climb\w*|sat|sitting|stood|standing) (?:\S+ ){0,2}(?:over|on) the (?:railing|ledge|parapet|edge)|window ledge|"
                    r"(?:top|roof) (?:floor )?of (?:the |my )?(?:multi ?storey|multistorey|car park|block|building|science block)|(?:im|i am|standing|sat|sitting) (?:\S+ ){0,1}(?:at|on) the bridge|at the bridge again|"
                    r"walk to the cliffs|roof access|(?:pulled|talked) (?:me|him|her|them) (?:back|down) from", None,
         unless=r"view|sunset|photos? of|dog walk\w*|tourist|holiday|selfie", negatable=False, strong=True),
    Sign("suicide", r"(?:saving|saved|stockpil\w*|hoard\w*|collect\w*|stash\w*|counting|counted|lined up|line up) (?:\S+ ){0,3}(?:pills|tablets|meds|medication|medicines|painkillers|paracetamol|sleeping tablets)|"
                    r"(?:pills|tablets) (?:\S+ ){0,1}(?:counted|lined up|in rows)|which (?:of the )?(?:pills|tablets) (?:\S+ ){0,6}strongest|tablets in my hand", None,
         unless=r"because of (?:her|his|my|their) (?:arthritis|back|pain)|for (?:my |her |his )?(?:period|pain|headaches?|migraines?|arthritis|back)|hotel|prescription charges|repeat prescription",
         negatable=False, strong=True),
    Sign("suicide", r"saving them up|(?:different|every|each) (?:chemists?|pharmac\w*|shop|supermarket)|around the limit|worked out (?:\S+ ){0,2}(?:the )?dose|how much (?:of )?(?:\S+ ){0,3}(?:would be|is) too much",
         r"pills?|tablets?|meds|medication|medicines|paracetamol|painkillers|packs?|packets|insulin|antidepressants?|sertraline|tramadol|codeine",
         unless=r"(?:max|maximum) (?:daily )?dose|how much (?:\S+ ){0,3}can (?:i|you) take", negatable=False, strong=True),
    Sign("suicide", r"(?:belt|scarf|cord|cable|lead|ligature|sheet|rope|flex|dressing gown) (?:\S+ ){0,6}(?:round|around|to|on|from) (?:the |a |my |his |her )?(?:neck|wardrobe|rail|hook|banister|beam|loft|curtain)|"
                    r"(?:rail|hook|beam|banister|loft) (?:\S+ ){0,6}(?:hold (?:my|his|her) weight|would work|take (?:my|his|her) weight)|(?:would|will|could|to see if) (?:\S+ ){0,3}hold (?:my|his|her) weight|"
                    r"(?:chair|stool) with (?:a |the |my )?(?:belt|rope|scarf|cord|lead)|(?:tied|tying) (?:\S+ ){0,2}in a loop|practi[cs]ed tying|knots? on youtube|tightened it until",
         None, unless=r"\bclimbing|\bharness|\bswing|\bhammock", negatable=False, strong=True),
    Sign("suicide", r"(?:knife|blade|razor\w*) (?:\S+ ){0,6}(?:wrist|neck|throat|deeper)|(?:wrist|throat) (?:\S+ ){0,4}(?:knife|blade|razor)|razor blades? (?:\S+ ){0,3}(?:out of|in my)|"
                    r"(?:bath|bathroom) with (?:a |the )?(?:knife|razor|blade)|(?:cuts?|cutting) (?:\S+ ){0,4}across the wrist|go the other way", None,
         unless=r"chopp\w*|cooking|peel\w*|slipped|accident\w*|kitchen knife slipped", negatable=False, strong=True),
    Sign("suicide", r"gun|shotgun|rifle|pistol|firearm",
         r"goodbye|(?:shouldnt|not to|dont) worry about (?:me|him|her)|whisky|vodka|loaded|had enough|sitting with|sat with|in (?:his|her|my|their) mouth|out of the safe|"
         r"(?:sitting|sat) in (?:his|her|my|the) car|cleaned|not (?:be )?(?:here|around)", negatable=False, strong=True),
    Sign("suicide", r"(?:stepped|walked|swerved|drove|crashed|took|taken|swallowed|injected|stopped taking|overdosed|cut|burned|burnt|hurt) (?:\S+ ){0,10}(?:on purpose|deliberately)|"
                    r"(?:on purpose|deliberately) (?:\S+ ){0,3}(?:stepped|walked|swerved|drove|crashed|took|swallowed|injected|cut|burned|hurt)",
         r"bus|car|lorry|truck|traffic|train|tablets|pills|paracetamol|insulin|overdos\w*|meds|myself|himself|herself|wrist|arms?|skin", negatable=False, strong=True),
    Sign("suicide", r"(?:swerv\w*|veer\w*|driv\w*|steer\w*) (?:\S+ ){0,3}(?:into|off) (?:the |a )?(?:trees?|wall|oncoming\w*|traffic|bridge|cliff|river|lorry|truck)|walk out (?:in front|into)|"
                    r"get it right (?:next|this) time|(?:hed|shed|theyd|he would|she would|he will|she will|hell|shell) (?:\S+ ){0,1}(?:try|do it) again", None,
         unless=r"exams?|tests?|recipe|interview|diet|revis\w*|bottle|feed\w*|latch\w*|nap\w*", negatable=False, strong=True),
    Sign("suicide", r"(?:didnt|did not|couldnt|could not) (?:\S+ ){0,1}go through with it|chicken\w* out|(?:halfway|half way) through (?:when|before)|"
                    r"tried to do it (?:\S+ ){0,2}(?:last night|on \w+day|yesterday|at the weekend|this morning)|i tried last night|"
                    r"(?:woke up|wake up|still (?:alive|here)|survived) (?:\S+ ){0,5}(?:angry|disappointed|annoyed|gutted|upset) (?:that|i|it)|"
                    r"(?:had|have) it all ready|tonight will be the one", None, negatable=False, strong=True),
    Sign("suicide", r"(?:ive|i have|i|hes|he has|shes|she has|theyve|they have) (?:finally |now |just )?(?:decided|made (?:my|the|a|his|her|their) (?:decision|choice)|made (?:my|his|her|their) mind up)(?! (?:to|about|on|which|what|whether|that|between|where|how|if|for)\b)|"
                    r"(?:the )?decisions (?:been )?made|at peace with (?:my|the|his|her) (?:choice|decision)|talk me out of it",
         r"calm\w*|lighter|peace\w*|ready|goodbye|thank\w*|sorry|talk me out|loose ends|final\w*|relief|in place|tonight",
         unless=r"uni|university|course|job|degree|college|school|house|flat|car|wedding|dress|holiday|boyfriend|girlfriend|break up", negatable=False, strong=True),
    Sign("suicide", r"(?:set|chosen|picked|chose) (?:a|the) (?:date|day)|tying up loose ends|(?:putting|put|got) (?:my|his|her) affairs in order|for after(?! (?:the|my|a|lunch|dinner|school|work|class|exams?)\b)|"
                    r"(?:letters?|goodbyes?|a video|videos?|instructions) (?:\S+ ){0,1}(?:for|to) (?:everyone|my (?:family|kids|wife|husband|mum|dad|children|parents|sister|brother))|(?:written|wrote|recorded) (?:\S+ ){0,2}(?:everyone|my kids) (?:a |\S+ )?(?:letter|video|message)|"
                    r"last (?:message|time you(?:ll| will) hear)|(?:wont|will not) (?:matter|be a problem for anyone|be a burden)|not their fault|(?:said|say|saying) (?:my )?(?:goodbyes?|thank yous)|to say (?:goodbye|bye)|"
                    r"(?:password\w*|keys|bills|pin numbers?) (?:\S+ ){0,3}(?:for|with|to) (?:my|his|her) (?:sister|brother|wife|husband|mum|dad|partner|family|friend)|"
                    r"(?:rehom\w*|re homed|found a home for|look after) (?:\S+ ){0,2}(?:dog|cat|pets?)|(?:cancelled|canceled) (?:my|all my) (?:subscriptions|gym|phone contract)|need (?:these|them|it) (?:\S+ ){0,1}more than me|"
                    r"(?:wont|will not|dont) need (?:it|them|this|anything|these) (?:anymore|any more|where)",
         r"sorry|goodbye|bye|thank\w*|peace|ready|sorted|finished|settled|final\w*|love (?:you|u)|everything|not their fault|after|for good|need|matter|problem|burden|"
         r"tonight|forever|date|kids|anyone|keys|will|going|noone|no one|nobody|himself|herself|myself|week",
         unless=r"wedding day|for the wedding|our wedding|moving (?:house|abroad|away|out|into)|retir\w*|holiday|travel\w*|new job|care home|emigrat\w*|allergic|weekend|trip|visit\w*|conference|flight|exams?|deadline",
         negatable=False, strong=True),
    Sign("suicide", r"goodbye|bye|sorry for everything|remember me|love you all|look after (?:the|my|mum|dad)",
         r"(?:not|isnt|wont|cant|cannot|can not) (?:answer\w*|reach|pick\w* up|in (?:her|his|their) room)|phones? (?:\S+ ){0,2}off|not answering|locked|missing|isnt home|the last",
         negatable=False, strong=True),
    Sign("suicide", r"(?:voices?|they) (?:\S+ ){0,2}(?:say|tell|told|telling) (?:me )?(?:i should|to) (?:jump|die|do it|end it|hurt myself|kill)|"
                    r"(?:one way|single) ticket (?:\S+ ){0,4}(?:cliff\w*|coast|bridge|sea)|how long it takes with|(?:look\w*|star\w*) at the (?:antifreeze|pills|tablets|knife|rope|tracks)|"
                    r"(?:sleep|sleeping) in the car with the engine|go to sleep and not come back|(?:tallest|highest) (?:buildings?|bridges?)|how high (?:a |the )?(?:bridge|building|drop) (?:needs|has|would)|"
                    r"(?:dont|do not) (?:think|see) (?:ill|i will|myself|im going to) (?:still )?(?:be |being )?(?:here|around)|(?:doubt|not sure) (?:ill|i will) (?:still )?be (?:here|around)|"
                    r"least painful (?:\S+ ){0,1}(?:method|way)|stop (?:\S+ ){0,2}(?:waking up|breathing for good)|how peaceful (?:death|dying|it would be)|"
                    r"(?:looking|look|looked) at (?:the )?(?:knives|pills|tablets|rope|bridges?|trains?) (?:\S+ ){0,4}differently|"
                    r"(?:how many|how much) (?:\S+ ){0,4}(?:is|are|would be) (?:fatal|deadly|lethal)",
         None, negatable=False, strong=True),
    Sign("suicide", r"join (?:her|him|them|my (?:mum|mom|dad|wife|husband|son|daughter|brother|sister|nan|gran))",
         r"died|death|dead|passed|heaven|grave|funeral|gone|lost (?:her|him|my)", negatable=False, strong=True),
    Sign("suicide", r"(?:scratch\w*|pick\w*|bang\w*|hit\w*|punch\w*|burn\w*|pinch\w*) (?:\S+ ){0,2}(?:my|his|her|their) (?:skin|arms?|head|legs?|self|face) (?:\S+ ){0,3}(?:until|till|til) (?:it |they |i )?(?:bleeds?|bruises?|bled|hurts?)|"
                    r"(?:cuts|scratches|scars|burns|marks) (?:\S+ ){0,2}(?:on|up|all up|across|down) (?:my|his|her|their) (?:fore)?(?:arms?|wrists?|legs?|thighs?)|"
                    r"(?:hides?|hiding|covers?|covering) (?:\S+ ){0,4}(?:with )?(?:long sleeves|sleeves|bracelets|plasters)",
         None, unless=r"cat|dog|kitten|puppy|fell|bramble\w*|thorn\w*|eczema|rash|itch\w*|bike|gardening|football|rugby|accident", negatable=False),


    # ---- vital-sign numbers
    Sign("breathing", r"(?:sats?|saturations?|spo2|sp o2|o2|oxygen|oximeter|pulse ox\w*|blood oxygen|ox sat\w*) (?:\S+ ){0,6}(?:[5-8]\d|9[01])\b(?! ?(?:years?|yrs?|kg|mins?|minutes|hours|seconds|bpm|units|mg|ml|weeks?|days?|litres?|liters?|l)\b)",
         None, unless=r"sats? (?:exams?|tests?|results?|papers?|revision|scores?)|(?:exam|maths|english|scored?|marks|grade|percentile)s?|target\w*|aim for|between (?:88|90)|normal|copd patients", strong=True),
    Sign("child", r"(?:temp\w*|fever|thermometer|temperature of) (?:\S+ ){0,4}(?:39\.[5-9]|4[0-2](?:\.\d)?)\b|(?:39\.[5-9]|4[0-2](?:\.\d)?) ?(?:c|degrees|celsius)|"
                 r"(?:is|was|at|hit|hits|of) (?:39\.[5-9]|4[0-2]\.\d)|10[3-6](?:\.\d)? ?(?:f|degrees f|fahrenheit)", _CHILD,
         unless=r"(?:4[0-2]|39) (?:year|yr)s? old", strong=True),
    Sign("other", r"(?:heart ?rate|pulse|hr|heartbeat|heart beat|heart|resting|watch|tracker|monitor) (?:\S+ ){0,6}(?:13[1-9]|1[4-9]\d|2[0-4]\d)\b(?! ?(?:over|/|minutes|mins|steps|calories|kcal|km|miles|pounds|lbs|kg|years|cm|mg|ml|ms|seconds|percent|units|hours|pages|words)\b)|(?:13[1-9]|1[4-9]\d|2[0-4]\d) ?bpm",
         None, unless=_EXERCISE + r"|normal|target|maximum", strong=True),

    # ---- a child with no wee, dry nappies, sunken eyes
    Sign("child", r"(?:no|not a|not one|hasnt had a|hasnt had any|havent seen a|without a) (?:single )?(?:wet|damp) (?:nappy|nappies|diaper|diapers)|(?:nappy|nappies|diaper|diapers) (?:\S+ ){0,3}(?:dry|bone dry)|dry (?:nappy|nappies|diaper|diapers)|"
                 r"(?:hasnt|not|havent|no|hasnt been able to|without) (?:\S+ ){0,2}(?:peed|peeing|weed|weeing|wee|pee|urinated|passed urine|urine|had a wee|been for a wee|done a wee)|"
                 r"(?:only|just) (?:had )?(?:one|1|two|2) (?:damp |wet )?(?:nappy|nappies|diapers?)|"
                 r"(?:sunken|sunk|hollow|dipped|dipping) (?:\S+ ){0,1}(?:eyes|soft spot|fontanelle)|(?:eyes|soft spot|fontanelle) (?:\S+ ){0,3}(?:sunken|sunk|hollow|dipped in|dipping)|(?:crying|cries|cry) (?:with )?(?:no|without) tears",
         _CHILD, negatable=False, strong=True),

    # ---- pregnancy: one-sided pain / fainting with a positive test; preterm tightenings as "Braxton Hicks"
    Sign("obstetric", r"one side\w*|one sided|(?:left|right) side|on the (?:left|right)|(?:low|lower) (?:on the )?(?:left|right)|(?:left|right) (?:\S+ ){0,1}(?:is|side is) (?:in agony|killing)|shoulder tip|tip of (?:my|her|the) shoulder|shoulder (?:pain|hurts)|"
                     r"faint\w*|passed out|pass out|dizz\w*|light ?headed|collaps\w*|cold and clammy|(?:gone|went|very|really) pale|sharp pain|stabbing",
         _PREG_TEST, unless=r"(?:stand|standing|get|getting) up (?:too )?(?:fast|quick\w*)|sometimes|every now and then"),
    Sign("obstetric", r"braxton ?hicks?|bh|practice contractions|false contractions|tightenings?|(?:bump|tummy|stomach|belly) (?:\S+ ){0,2}(?:going|goes|gets|keeps going|went) (?:rock )?hard|"
                      r"(?:contractions|cramps|pains?|tightenings?) (?:\S+ ){0,4}every (?:\d+|few|couple of)",
         r"(?:2[0-9]|3[0-6])(?: ?\+ ?\d)? ?(?:weeks?|wks?|w)|(?:2[0-9]|3[0-6]) weeks? pregnant",
         unless=r"painless|irregular|occasional|once or twice|for a few seconds"),
    Sign("obstetric", r"every (?:\d+|few|couple of) (?:\S+ ){0,1}(?:mins?|minutes)|regular|closer together|getting stronger|(?:not|havent|dont|wont) stop\w*|mucus plug|a show|gush\w*|leak\w*|pressure (?:down below|in my bottom)|pinkish|pink discharge",
         r"braxton ?hicks?|bh|tightenings?|practice contractions|false contractions", unless=r"(?:3[7-9]|4[0-2]) ?(?:weeks?|wks?)"),

    # ---- no spleen, sickle cell, chemo + fever
    Sign("sepsis", _FEVER, _NO_SPLEEN, unless=r"vaccin\w*|jabs?|hay ?fever", strong=True),

    # ---- early meningococcal signs with a fever
    Sign("meningitis", r"(?:few|couple of|some|tiny|small|little|pinprick|pin prick|dark|red|purple) (?:\S+ ){0,2}(?:spots|dots|marks|blotches|pinpricks)|pin ?pricks?|mottled|blotchy|patchy",
         _FEVER, unless=r"chicken ?pox|hand foot and mouth|teething|eczema|acne|hay ?fever"),
    Sign("meningitis", r"(?:legs?|thighs?|calves|muscles) (?:\S+ ){0,3}(?:ache|aching|achy|hurt\w*|pain\w*|killing|agony|sore)|(?:pain|ache|aching|agony) in (?:my|his|her|their) (?:legs|thighs|muscles)",
         r"(?:hands|feet|fingers|toes) (?:\S+ ){0,3}(?:cold|freezing|icy|ice|blue|purple|mottled|numb)|(?:cold|freezing|icy) (?:\S+ ){0,2}(?:hands|feet|fingers|toes)", unless=_EXERCISE),

    # ---- croup with stridor or drooling
    Sign("breathing", r"drool\w*|dribbl\w*", r"croup\w*|bark\w*|noisy|noise|whistl\w*|squeak\w*|rasp\w*|crow\w*|stridor|swallow\w*|muffled|voice", unless=r"teeth\w*|teething", strong=True),
    Sign("breathing", r"(?:high ?pitched|whistl\w*|squeak\w*|rasp\w*|crow\w*|harsh|honk\w*|whoop\w*|saw|noisy|noise|sound) (?:\S+ ){0,4}(?:breath\w* in|every breath|each breath|when (?:he|she|they) breathes?|breathing)|stridor",
         r"croup\w*|bark\w*|seal", strong=True),

    # ---- scalds on a child
    Sign("injury", r"(?:hot|boiling) (?:\S+ ){0,2}(?:tea|coffee|water|soup|oil|milk|drink|pan|bath|noodles|porridge|iron|grill|oven|pipe|radiator)|kettle|cuppa|(?:tea|coffee|soup) (?:\S+ ){0,4}(?:over|down|on|onto)|"
                   r"too hot|scald\w*|urn|fireplace|log burner|straighteners|barbecue grill",
         r"blister\w*|bubbl\w*|peel\w*|skin (?:\S+ ){0,3}(?:off|coming|shiny|white|grey|wrinkl\w*)|red raw|gone white",
         unless=r"sunburn\w*|heartburn|no blisters?"),
    Sign("injury", r"(?:spill\w*|pulled|tipped|knocked|grabbed|poured|splash\w*|went|got) (?:\S+ ){0,6}(?:hot|boiling) (?:\S+ ){0,2}(?:tea|coffee|water|soup|oil|milk|drink|noodles|porridge)|"
                   r"(?:hot|boiling) (?:\S+ ){0,2}(?:tea|coffee|water|soup|oil|milk|drink|noodles|porridge) (?:\S+ ){0,4}(?:over|down|on|onto|into) (?:him|her|his|them|their|himself|herself)",
         _CHILD),

    # ---- insulin taken twice or far too much
    Sign("diabetic", rf"(?:took|taken|take|injected|did|done|gave|given|give|put|doubled up on) (?:\S+ ){{0,6}}(?:{_INSULIN}|pen|dose) (?:\S+ ){{0,8}}(?:twice|twise|two times|again)(?! (?:a|per) (?:day|week)| daily)|"
                     rf"(?:{_INSULIN}) (?:\S+ ){{0,4}}(?:twice|twise|two times|two doses)(?! (?:a|per) (?:day|week)| daily)|(?:double|doubled up on|extra|two doses of|second dose of) (?:\S+ ){{0,2}}(?:{_INSULIN})|"
                     rf"(?:both|and) (?:\S+ ){{0,3}}gave (?:her|him|them|my \w+) (?:\S+ ){{0,1}}insulin|huge bolus|loads of insulin|(?:injected|took|taken) (?:\S+ ){{0,3}}(?:husbands|wifes|dads|mums|dogs|someone elses) insulin|insulin pen and (?:\S+ ){{0,4}}injected",
         None, negatable=False, strong=True),
    Sign("diabetic", r"\d+ units (?:\S+ ){0,4}instead of \d+|\d+ times (?:my|his|her) dose|(?:wrong|instead of (?:my|his|her)) (?:\S+ ){0,1}(?:insulin|long acting|fast acting|quick acting|basal)|(?:double|doubled) (?:\S+ ){0,2}dose|pen was set wrong",
         rf"{_INSULIN}|units|pen|sugars?|diabet\w*|type 1|hypo", negatable=False, strong=True),

    # ---- torsion in slang
    Sign("abdominal", r"(?:my|his|your|left|right|one of (?:my|his)|in the) (?:\S+ ){0,1}(?:nut|nuts|ball|balls|bollocks?|nutsack|ballsack|scrotum|testes|testicles?|testicals?|gonads?)\b|(?:ball|nut|gonad|testicle|testical) pain|(?:my|his) sack|privates|willy area|crotch",
         r"agony|killing|hurts?|hurting|pain\w*|sore|swollen|swell\w*|sudden\w*|throb\w*|tender|higher|twist\w*|purple|sideways|pulled up",
         unless=r"football (?:hit|went)|ate|eating|allerg\w*|peanuts?|the ball (?:hit|went)|tennis ball|ball (?:of my|of the) foot"),

    # ---- aphasia
    Sign("stroke", r"(?:nothing|no words?|no sound) (?:\S+ ){0,2}(?:comes? out|came out|come)|(?:only|just) (?:make |making )?(?:sounds|noises)|"
                   r"word salad|made up words|mixed ?up words|random words|wrong names|wrong words|jumble of words|words (?:\S+ ){0,2}(?:mush|jumbled|mixed up|in the wrong order)|speech (?:is |was )?stuck|"
                   r"(?:what (?:he|she|they) says?|speech|words|talk\w*|speak\w*) (?:\S+ ){0,4}(?:no sense|nonsense|gibberish)|"
                   r"(?:cant|cannot|couldnt|unable to) (?:get (?:\S+ ){0,2}(?:words?|sentence|name|it) out|say (?:\S+ ){0,2}(?:name|anything|words))|(?:understands?|knows) (?:\S+ ){0,4}(?:cant|cannot|can not) (?:answer|speak|talk|say)|"
                   r"(?:trying|tries|tried|try) to (?:talk|speak|say|tell) (?:\S+ ){0,6}(?:nothing|no words?|no sound|sounds|noises|gibberish)|repeats? (?:one|the same) word|"
                   r"(?:doesnt|dont|cant|cannot|couldnt) understand (?:\S+ ){0,2}(?:instructions|what we say|a (?:single )?word|anything (?:we|i) say)",
         None, unless=r"lol|haha|starstruck|crush|nervous|interview|presentation|exams?|accent|language|french|spanish|german|film|movie|lecture|lesson|class|homework|question|teacher|baby talk|toddler|learning to talk"),

    # ---- an atypical heart attack
    Sign("chest_pain", r"indigestion|heartburn|feel\w* like death|feel\w* (?:dreadful|shocking|awful|terrible|grim|rotten|horrendous)|(?:upper|top of (?:my|his|her)) (?:stomach|belly|tummy) (?:\S+ ){0,2}(?:pain|hurts|ache)|pain in (?:his|her|my) (?:upper back|jaw)",
         r"sweat\w*|clammy|grey|gray|ashen|(?:left )?arm|jaw|breastbone|chest",
         unless=r"after (?:\S+ ){0,2}(?:pizza|curry|eating|meal|dinner|spicy)|pregnan\w*|hungover|hangover|cold|flu|" + _EXERCISE),

    # ---- bowel obstruction, appendicitis, peritonitis, strangulated hernia, intussusception in everyday words
    Sign("abdominal", r"(?:cant|cannot|havent|hasnt|not|no) (?:\S+ ){0,3}(?:poo|pooed|poop\w*|fart\w*|pass\w* (?:wind|gas|anything)|opened (?:his|her|my) bowels|wind|toilet)|nothing coming out",
         r"vomit\w*|being sick|been sick|throw\w* up|threw up|bringing up|swollen|distended|bloat\w*|massive|huge|drum|hard|puffed"),
    Sign("abdominal", r"(?:vomit\w*|being sick|been sick|throw\w* up|threw up|bring\w* up) (?:\S+ ){0,3}(?:green|bile|faecal|fecal|(?:looks|smells) like poo|smells? (?:\S+ ){0,2}(?:poo|awful))|(?:swollen|tight|hard) (?:\S+ ){0,2}(?:like|as) a (?:drum|balloon|board)|blown up like a balloon|"
                      r"(?:abdomen|stomach|belly|tummy) (?:\S+ ){0,3}distended|vomiting (?:\S+ ){0,2}(?:faecal|fecal)", None),
    Sign("abdominal", r"(?:belly button|middle) (?:\S+ ){0,8}(?:right|lower right|bottom right)|(?:low|lower|bottom) (?:on the )?right|right (?:\S+ ){0,2}(?:low down|bottom|lower)|(?:all )?on the right (?:side|hand side)",
         r"belly|tummy|stomach|abdomen|pain\w*|hurts?|sore|cough|walk\w*|bumps?|jump|press|let go",
         unless=r"pregnan\w*|period|" + _EXERCISE),
    Sign("abdominal", r"hernia|lump in (?:my|his|her) groin|bulge (?:\S+ ){0,3}(?:belly button|groin|tummy)",
         r"(?:wont|will not|doesnt|does not) (?:go|push) back|stuck out|popped out|purple|hard|tender|being sick|vomit\w*|red"),
    Sign("abdominal", r"(?:redcurrant|red jelly|jelly like|jelly) (?:\S+ ){0,2}(?:poo|stool|nappy)|(?:pulling|drawing|pulls|draws) (?:\S+ ){0,2}(?:legs|knees) up", _CHILD),
    Sign("abdominal", r"curled up|doubled up|rocking|lying (?:dead )?still|wont let (?:anyone|me) touch", r"stomach|belly|tummy|abdomen"),
    Sign("abdominal", r"(?:stomach|belly|tummy|abdomen|abdominal) (?:\S+ ){0,4}(?:pain|ache|hurts?)", r"punched|kicked|handlebars|crash\w*|accident|gastric band|fell off|fell onto|hit (?:in|by)"),
]
# fmt: on
