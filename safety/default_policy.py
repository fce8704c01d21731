"""Built-in red-flag policy, written in the words people actually type.

Kept as plain data (not YAML) so it loads without pyyaml. Phrases are matched as whole
words after normalization; word forms ("bleed"/"bleeding"/"bled"), possessives
("my"/"his"/"her") and contractions ("can't"/"cannot"/"can not") are expanded
automatically (see safety/variants.py), so each entry lists one spelling.

Rules of thumb used here: a missed emergency is far worse than an extra deferral, so
lists are generous; but no bare figurative words ("dying", "killing", "dead"), and no
bare words that are mostly harmless ("stroke" alone would catch "stroke of luck").
"""
from __future__ import annotations

EMERGENCY_MESSAGE = (
    "This sounds like it could be a medical emergency. Please call your local emergency "
    "number now (911 in the US, 112 in the EU, 999 in the UK) or go to the nearest "
    "emergency department. Do not wait for an answer from me."
)
SELF_HARM_MESSAGE = (
    "I'm really sorry you're going through this, and I'm glad you said something. "
    "You deserve support from a real person right now. In the US you can call or text 988 "
    "(Suicide & Crisis Lifeline) at any time; elsewhere, please contact your local crisis "
    "line. If you are in immediate danger or might act on these thoughts, call your local "
    "emergency number (911 in the US) now."
)
POISONING_MESSAGE = (
    "This may be a poisoning or overdose. If the person is unconscious, having trouble "
    "breathing or having a seizure, call your local emergency number (911 in the US) now. "
    "Otherwise call Poison Control right away (1-800-222-1222 in the US) or your local "
    "poison centre. If this was intentional, you can also call or text 988 (US)."
)
DOSAGE_MESSAGE = (
    "For exact doses, please check with a pharmacist or the doctor who prescribed the "
    "medicine."
)
PREGNANCY_MESSAGE = (
    "These symptoms during pregnancy or after giving birth need to be checked urgently. "
    "Please call your midwife, obstetrician or labour and delivery unit now, or your local "
    "emergency number (911 in the US) if they are severe."
)
INFANT_MESSAGE = (
    "Young babies can become seriously ill very quickly. Please call your doctor or an "
    "urgent advice line now. If your baby is hard to wake, floppy, blue, or struggling "
    "to breathe, call your local emergency number (911 in the US) immediately."
)
DEFAULT_MESSAGE = (
    "I can't help with this safely. Please contact a doctor or pharmacist, or your local "
    "emergency number if it is urgent."
)

_HEART = [
    "crushing pain in my chest", "crushing chest pain", "chest pain", "chest pains",
    "pain in my chest", "pain in the chest", "my chest hurts", "chest hurts",
    "chest feels tight", "tightness in my chest", "tight chest", "chest tightness",
    "pressure in my chest", "chest pressure", "squeezing in my chest",
    "squeezing chest", "heaviness in my chest", "heavy feeling in my chest",
    "elephant sitting on my chest", "elephant on my chest",
    "pain going down my left arm", "pain down my left arm", "pain in my left arm",
    "left arm pain", "pain spreading to my jaw", "pain in my jaw and arm",
    "jaw and arm pain", "having a heart attack", "had a heart attack",
    "think it's a heart attack", "might be a heart attack", "heart attack symptoms",
    "cardiac arrest", "heart has stopped", "no pulse", "can't find a pulse",
    "can't feel a pulse", "racing heart and chest pain", "heart is racing and i feel faint",
    "heart racing and dizzy", "cold sweat and chest pain", "sweating and chest pain",
]
_STROKE = [
    "face drooping", "face is drooping", "face is droopy", "drooping face",
    "face droops on one side", "face is dropping", "one side of my face is drooping",
    "one side of my face is numb", "face went numb on one side", "mouth is drooping",
    "smile is crooked", "crooked smile", "can't lift my arm", "can't raise my arm",
    "can't lift his arm", "can't lift her arm", "can't lift my leg", "arm is weak",
    "arm went weak", "arm suddenly weak", "arm feels weak and numb",
    "weakness on one side", "weak on one side", "numb on one side",
    "numbness on one side", "one side of my body is numb", "one side of my body is weak",
    "can't feel one side", "can't move one side", "slurred speech", "slurring words",
    "speech is slurred", "slurring his words", "talking funny", "can't talk properly",
    "can't speak properly", "words are coming out wrong", "can't get words out",
    "can't understand what people are saying", "sudden confusion",
    "suddenly confused", "having a stroke", "had a stroke", "is having a stroke",
    "think it's a stroke", "might be a stroke", "could be a stroke", "stroke symptoms",
    "stroking out", "mini stroke", "sudden vision loss", "lost vision in one eye",
    "lost my vision", "suddenly can't see", "sudden blindness", "went blind",
    "sudden double vision", "worst headache of my life", "worst headache ever",
    "worst headache i have ever had", "thunderclap headache", "sudden severe headache",
    "sudden terrible headache", "headache like being hit", "lost my balance suddenly",
    "suddenly can't walk", "can't walk straight and dizzy", "room spinning and can't walk",
]
_BRAIN_INFECTION = [
    "stiff neck and a fever", "fever and a stiff neck", "stiff neck with a fever",
    "fever with a stiff neck", "fever and stiff neck", "stiff neck and fever",
    "can't touch my chin to my chest", "rash that doesn't fade", "rash doesn't fade",
    "rash that doesn't go away when pressed", "purple rash", "purple spots",
    "fever and confused", "high fever and confusion", "fever and very confused",
    "meningitis",
]
_BREATHING = [
    "can't breathe", "can't catch my breath", "can't get my breath",
    "can't get enough air", "can't get air in", "struggling to breathe",
    "struggling for breath", "hard to breathe", "trouble breathing",
    "difficulty breathing", "difficulty in breathing", "short of breath",
    "shortness of breath", "out of breath at rest", "out of breath sitting still",
    "gasping for air", "gasping for breath", "fighting for breath", "labored breathing",
    "laboured breathing", "breathing is labored", "breathing is laboured", "not breathing", "stopped breathing", "isn't breathing",
    "barely breathing", "breathing is very fast", "breathing is shallow",
    "lips turning blue", "lips are blue", "blue lips", "lips are grey", "lips are gray",
    "turning blue", "face turning blue", "going blue", "skin is blue",
    "fingernails are blue", "i'm choking", "he's choking", "is choking", "choking on",
    "something stuck in my throat", "food stuck in my throat and can't breathe",
    "asthma attack", "inhaler isn't working", "inhaler is not helping",
    "inhaler doesn't help", "can't speak in full sentences", "can't finish a sentence",
    "ribs sucking in", "wheezing and can't breathe", "chest sucking in",
    "nearly drowned", "almost drowned", "drowned", "pulled from the water",
]
_BLEEDING = [
    "bleeding heavily", "heavy bleeding", "bleeding a lot", "bleeding won't stop",
    "bleeding that won't stop", "can't stop the bleeding", "won't stop bleeding",
    "blood won't stop", "blood everywhere", "spurting blood", "blood is spurting",
    "gushing blood", "blood is gushing", "lost a lot of blood", "losing a lot of blood",
    "pool of blood", "soaked through the bandage", "coughing up blood", "cough up blood",
    "vomiting blood", "throwing up blood", "blood in my vomit", "vomit looks like coffee grounds",
    "coffee ground vomit", "black tarry stool", "tarry stool", "black tarry poop",
    "black sticky poop", "black sticky stool", "stool is black", "poop is black",
    "pooping blood", "lots of blood in my stool", "lots of blood when i poop",
    "rectal bleeding and dizzy", "bleeding from my head", "bleeding from the ear after",
    "deep cut", "cut to the bone", "can see the bone", "bone sticking out",
    "was stabbed", "got stabbed", "stab wound", "been stabbed", "was shot", "got shot",
    "been shot", "gunshot wound", "gunshot", "amputated", "cut off my finger",
    "severed finger",
]
_ALLERGY = [
    "throat is closing", "throat closing up", "throat feels like it's closing",
    "throat is swelling", "throat swelling", "throat feels tight and swollen",
    "tongue is swelling", "swollen tongue", "tongue swelling", "lips are swelling",
    "lips swelling", "swollen lips and trouble breathing", "face is swelling up",
    "face swelling up", "anaphylaxis", "anaphylactic", "anaphylactic shock",
    "allergic reaction and can't breathe", "severe allergic reaction",
    "bad allergic reaction", "used my epipen", "need my epipen", "used an epipen",
    "hives and trouble breathing", "hives all over and dizzy",
    "can't swallow my own spit", "can't swallow and drooling", "stung and can't breathe",
]
_CONSCIOUSNESS = [
    "passed out", "passing out", "fainted", "keeps fainting", "fainting spells",
    "unconscious", "unresponsive", "not responding", "won't respond", "won't wake up",
    "can't wake him", "can't wake her", "can't wake them", "can't wake him up",
    "can't wake her up", "hard to wake", "impossible to wake", "lost consciousness",
    "losing consciousness", "blacked out", "collapsed", "fell and can't get up",
    "very drowsy and confused", "can't stay awake and confused",
]
_SEIZURE = [
    "having a seizure", "had a seizure", "first seizure", "seizure won't stop",
    "seizure lasting", "seizure for more than 5 minutes", "seizure for over five minutes",
    "another seizure", "seizing", "convulsing", "convulsions", "having convulsions",
    "shaking uncontrollably and not responding",
    "jerking and unresponsive", "status epilepticus", "febrile seizure",
]
_OTHER_EMERGENCY = [
    "hit my head and threw up", "hit my head and passed out", "head injury", "head injury and vomiting",
    "fell and hit my head", "just had a car accident", "was just in a car accident", "hit by a car", "electrocuted",
    "electric shock", "severe burn", "badly burned", "burns all over",
    "chemical in my eye", "chemical splashed in my eye", "heat stroke", "heatstroke",
    "hypothermia", "frostbite", "sepsis", "severe abdominal pain",
    "severe stomach pain", "worst stomach pain", "belly is hard and painful",
    "sudden testicle pain", "sudden pain in my testicle", "testicle is twisted",
    "blood sugar is very low", "blood sugar is really low", "diabetic and confused",
    "diabetic and unconscious", "call 911", "call an ambulance", "calling an ambulance",
    "need an ambulance", "should i call 911", "should i call an ambulance",
    "should i go to the er", "should i go to the emergency room", "is this an emergency",
    "life threatening", "medical emergency",
]

_SELF_HARM = [
    "suicide", "suicidal", "kill myself", "killing myself", "end my life",
    "ending my life", "end it all", "take my own life", "taking my own life",
    "want to die", "wanna die", "wish i was dead", "wish i were dead",
    "better off dead", "better off without me", "no reason to live",
    "nothing to live for", "don't want to live", "don't want to be alive",
    "don't want to be here anymore", "don't want to wake up", "not worth living",
    "life isn't worth living", "can't go on anymore", "can't go on like this",
    "harm myself", "self harm", "selfharm", "self-injury", "self injure",
    "want to hurt myself", "going to hurt myself", "thinking about hurting myself",
    "hurt myself on purpose", "urge to hurt myself", "cutting myself",
    "cut myself on purpose", "burning myself", "overdose on purpose",
    "overdose intentionally", "planning to overdose", "how many pills to die",
    "how many pills would kill", "how many pills does it take to die",
    "how much would it take to die", "lethal dose", "fatal dose",
    "jump off a bridge", "jump off the roof", "jump in front of a train",
    "hang myself", "slit my wrists", "shoot myself", "unalive myself", "unalive",
    "suicide note", "goodbye letter", "say goodbye to everyone", "plan to end it",
    "end it tonight", "disappear forever", ]

_POISONING = [
    "took too many pills", "took too many of my pills", "swallowed too many pills",
    "took a handful of pills", "took a whole bottle", "took the whole bottle",
    "swallowed a bottle of pills", "overdose", "overdosed", "took double my dose",
    "took twice my dose", "accidentally took two doses", "took someone else's pills",
    "too much tylenol", "too much acetaminophen", "too much paracetamol",
    "too much ibuprofen", "too much insulin", "too much of my insulin",
    "too much fentanyl", "too much oxycodone", "too much morphine", "opioid overdose",
    "heroin overdose", "mixed alcohol and pills", "pills and alcohol",
    "alcohol poisoning", "swallowed bleach", "drank bleach", "drank antifreeze",
    "swallowed antifreeze", "drank poison", "swallowed poison", "ate rat poison",
    "was poisoned", "think i was poisoned", "swallowed a battery",
    "swallowed a button battery", "swallowed a magnet", "swallowed magnets",
    "swallowed detergent", "ate a detergent pod", "ate a laundry pod",
    "bit a laundry pod", "swallowed drain cleaner", "drank drain cleaner",
    "drank cleaning product", "swallowed cleaning product", "drank lamp oil",
    "swallowed lighter fluid", "drank gasoline", "swallowed gasoline",
    "ate a wild mushroom", "ate wild mushrooms", "ate a poisonous plant",
    "child swallowed", "kid swallowed", "toddler swallowed", "baby swallowed",
    "got into the medicine", "got into my pills", "got into the medicine cabinet",
    "ate my pills", "carbon monoxide", "co alarm", "gas leak and dizzy",
    "inhaled fumes", "breathed in fumes", "narcan", "naloxone", "snake bite",
    "bitten by a snake", "snake bit", "scorpion sting", "poison control",
]

_DOSAGE = [
    "how much should i take", "how many should i take", "how much can i take",
    "how many can i take", "how many mg", "how many milligrams", "how many pills",
    "how many tablets", "what dose", "what dosage", "dosage", "dose of",
    "maximum dose", "max dose", "how often can i take", "can i take more",
    "can i double", "double dose", "double my dose", "missed a dose",
    "skip a dose", "stop taking", "increase my dose", "lower my dose",
    "change my dose", "mg per kg", "dose for my child", "dose for a child",
    "children's dose", "safe to take", "take with alcohol", "mix with alcohol",
    "drink alcohol on", "interaction between", "interact with", "drug interaction",
    "how much tylenol", "how much ibuprofen", "how much acetaminophen",
    "how much paracetamol", "how much benadryl", "how much melatonin",
]

_PREGNANCY = [
    "bleeding while pregnant", "pregnant and bleeding", "bleeding during pregnancy",
    "pregnant and heavy bleeding", "heavy bleeding in pregnancy", "bleeding at weeks pregnant",
    "spotting and cramping while pregnant", "pregnant and cramping badly",
    "baby isn't moving", "baby stopped moving", "baby is not moving as much",
    "baby hasn't moved", "haven't felt the baby move", "can't feel the baby move",
    "reduced fetal movement", "reduced movements", "less fetal movement",
    "no fetal movement", "fewer kicks", "baby stopped kicking", "baby isn't kicking",
    "my water broke", "waters broke", "water broke early", "leaking fluid",
    "fluid leaking from my vagina", "severe headache and blurry vision",
    "pregnant with a severe headache", "pregnant and bad headache",
    "headache and seeing spots", "seeing spots and swelling", "seeing flashing lights",
    "blurred vision while pregnant", "blurry vision and pregnant",
    "swelling in my face and hands", "sudden swelling in my face",
    "sudden swelling of my hands", "preeclampsia", "pre-eclampsia", "eclampsia",
    "pregnant and can't stop vomiting", "can't keep anything down while pregnant",
    "pregnant with severe abdominal pain", "pregnant and severe stomach pain",
    "pain under my ribs and pregnant", "pregnant and fever", "pregnant with a fever",
    "contractions before 37 weeks", "contractions at 30 weeks", "contractions at 32 weeks",
    "preterm labor", "preterm labour", "early labor", "early labour",
    "pregnant and fell", "pregnant and had a fall", "pregnant and was in a car accident",
    "ectopic", "ectopic pregnancy", "one sided pain and pregnant", "placental abruption",
    "soaking a pad an hour", "soaking through a pad every hour", "soaking a pad every hour",
    "passing large clots", "clots bigger than a golf ball", "postpartum bleeding",
    "postpartum hemorrhage", "postpartum haemorrhage", "thoughts of harming my baby",
    "want to hurt my baby", "postpartum psychosis", "cord is coming out",
    "umbilical cord prolapse",
]

_INFANT = [
    "newborn has a fever", "newborn with a fever", "newborn fever", "fever in my newborn",
    "fever in a newborn", "newborn is hot", "week old has a fever",
    "week old baby has a fever", "weeks old and has a fever", "week old with a fever",
    "month old has a fever", "month old baby has a fever", "month old with a fever",
    "months old and has a fever", "infant fever", "infant has a fever",
    "baby is floppy", "floppy baby", "baby is limp", "baby went limp",
    "baby won't wake up", "can't wake the baby", "baby is hard to wake",
    "baby not waking up", "baby is very sleepy and won't feed", "baby is not feeding",
    "baby won't feed", "baby not eating", "baby refuses to feed", "baby hasn't fed",
    "baby won't drink", "no wet diapers", "no wet diaper", "dry diapers all day",
    "baby is turning blue", "baby is blue", "baby turning blue", "baby is grey",
    "baby isn't breathing", "baby stopped breathing", "baby not breathing",
    "baby is grunting", "grunting when breathing", "baby breathing fast",
    "baby struggling to breathe", "baby's ribs sucking in", "baby had a seizure",
    "baby is having a seizure", "baby is shaking and not responding",
    "bulging soft spot", "soft spot is bulging", "sunken soft spot",
    "soft spot is sunken", "high pitched cry", "high-pitched crying", "newborn is yellow", "baby looks yellow", "baby's eyes are yellow",
    "baby vomiting green", "green vomit", "vomiting green", "projectile vomiting",
    "baby fell", "baby fell off the bed", "baby hit his head", "baby hit her head",
    "shaken baby", "baby has a rash that doesn't fade", "baby is cold and floppy",
    "blood in baby's diaper", "baby won't stop vomiting",
]

# Multi-part phrases: "a|b * c|d" means one of a/b, then one of c/d at most 4 words later
# in the same sentence ("*6": at most 6 words). They catch the many word orders people
# use ("my chest has been hurting"); see safety/variants.py.
_PILLS = ("pills|pill|tablets|tablet|capsules|meds|medicine|medication|paracetamol|"
          "ibuprofen|advil|motrin|aspirin|naproxen|aleve|benadryl|diphenhydramine|"
          "sleeping pills|sleeping tablets|xanax|valium|diazepam|benzos|oxycodone|oxy|"
          "codeine|tramadol|morphine|methadone|fentanyl|opioids|painkillers|"
          "antidepressants|sertraline|amitriptyline|lithium|insulin|iron tablets|"
          "iron pills|vitamins|gummies|edibles|antihistamines|heart pills|blood thinners|"
          "warfarin|metformin|melatonin|zopiclone|ambien|seroquel|quetiapine|"
          "propranolol|digoxin")
_HOUSEHOLD = ("bleach|detergent|laundry pod|laundry pods|dishwasher tablet|dishwasher pod|"
              "dishwasher detergent|drain cleaner|oven cleaner|toilet cleaner|cleaner|"
              "cleaning product|antifreeze|rat poison|poison|weed killer|pesticide|"
              "insecticide|lamp oil|paraffin|kerosene|petrol|gasoline|lighter fluid|"
              "button battery|battery|batteries|magnet|magnets|methanol|windshield fluid|"
              "washer fluid|hand sanitizer|hand sanitiser|nail polish remover|"
              "e liquid|vape liquid|nicotine|cigarette|cigarettes|mouthwash|perfume")
_CHILD = ("son|daughter|child|kid|toddler|baby|grandson|granddaughter|year old|years old|"
          "month old|months old|little one|little boy|little girl|infant")
_NUMBERS = "|".join(str(n) for n in range(10, 201))
_YOUNG_BABY = ("newborn|new baby|day old|days old|week old|weeks old|wk old|1 month old|"
               "one month old|2 month old|two month old|6 week|8 week")

_EMERGENCY_PATTERNS = [
    "chest * pain|pains|hurts|hurting|ache|aching|tight|tightness|pressure|crushing|"
    "squeezing|heavy|heaviness|caving in",
    "pain|pains|tightness|pressure|squeezing|heaviness|crushing *2 chest",
    "heart attack",
    "face|smile|mouth|lip * drooping|droopy|drooped|dropped|droops|dropping|lopsided|"
    "sagging|sagged|crooked|slanted|fallen|numb",
    "drooping|droopy|lopsided|crooked|sagging *2 face|smile|mouth",
    "one side * face|body|arm|leg * numb|weak|droop|drooping|dropped|paralysed|paralyzed|"
    "can't move|won't move|limp|dead|heavy",
    "weak|weakness|numb|numbness|paralysed|paralyzed|can't move *3 one side|left side|"
    "right side",
    "suddenly|sudden * weak|weakness|numb|numbness|paralysed|paralyzed|confused|confusion|"
    "collapsed|blind|can't see|can't speak|can't talk|can't walk|can't move|slurring",
    "words * slurred|slurring|jumbled|garbled|mixed up|coming out wrong|sound wrong|"
    "sounds wrong|don't make sense",
    "speech * slurred|garbled|jumbled|strange|weird|wrong|gone",
    "talking|speaking * gibberish|nonsense|funny|strangely",
    "lost * vision|sight in|sight",
    "vision in one eye", "blind in one eye", "curtain over my eye", "curtain coming down",
    "sudden|suddenly * blurry|blurred|double vision|blind|blindness|vision loss|lost vision",
    "worst * headache", "headache * worst|thunderclap|exploded|exploding|explosive|"
    "like being hit|like a bomb|came on suddenly",
    "headache * stiff neck|neck is stiff|confused|confusion|slurred|fainted|passed out|seizure",
    "stiff neck * fever|temperature|rash|light hurts",
    "fever|temperature|temp * stiff neck|neck is stiff|rash that|purple|spots that|"
    "confused|confusion|drowsy|hard to wake|floppy|seizure|mottled|blotchy",
    "breathing|breath|breathe * hard|difficult|difficulty|struggle|struggling|labored|"
    "laboured|shallow|noisy|stopped|barely|gasping|rattling|wheezy",
    "can't|cannot|unable to|struggling to|hard to *2 breathe|breath|get air|get enough air",
    "trouble|difficulty|struggling|problems *2 breathing|breathe|breath",
    "gasping|fighting|struggling * air|breath",
    "lips|face|skin|fingers|fingertips|tongue * blue|grey|gray|purple",
    "choking * can't breathe|can't speak|can't cough|turning blue|can't talk",
    "food|bone|something|piece * stuck *3 throat|windpipe",
    "blood * pouring|gushing|spurting|everywhere|won't stop|not stopping|soaking|pumping|"
    "squirting|pool",
    "bleeding * won't stop|not stopping|heavily|a lot|lots|badly|profusely|soaked|"
    "everywhere|pouring|for 10 minutes|for 20 minutes|for an hour",
    "pouring|gushing|spurting|pumping|squirting * blood",
    "cough|coughing|coughed * blood", "vomit|vomiting|throwing up|threw up|sick *2 blood",
    "blood *2 vomit|sick|throw up",
    "poop|stool|poo|bowel movement * black|tarry|like tar|maroon",
    "black|tarry|tar like *2 poop|stool|poo",
    "cut|gash|wound * deep|to the bone|won't stop|gaping|spurting|can see fat",
    "sliced|slashed|cut * open|deep|to the bone",
    "throat * closing|closed|swelling|swollen|swell|tight|tightening|closing up",
    "tongue|lips * swelling|swollen|swell|puffing up|puffed up|blowing up",
    "allergic|allergy|reaction * can't breathe|breathing|throat|tongue|wheezing|collapsed|"
    "faint|fainted|passed out|hives all over",
    "sting|stung|bee|wasp|peanut|peanuts|nuts|shellfish * throat|tongue|can't breathe|"
    "breathing|wheezing|dizzy|faint|fainted|collapsed",
    "keeps * dozing off|passing out|fainting|blacking out",
    "fit|fits * minutes|floor|shaking|jerking|foaming|unconscious|unresponsive|"
    "not responding|won't stop",
    "shaking|jerking|twitching|convulsing * floor|unresponsive|not responding|won't stop|"
    "eyes rolled|rolled back|foaming",
    "eyes * rolled back|rolling back",
    "seizure * minutes|won't stop|not stopping|still going|lasting|again",
    "banged|hit|bumped|knocked|smacked|fell on * head *6 sick|vomit|vomiting|throwing up|"
    "threw up|drowsy|sleepy|dozing|confused|passed out|knocked out|unconscious|"
    "blacked out|fluid|seizure|can't remember|slurring",
    "head injury|concussion * vomiting|sick|drowsy|sleepy|confused|unconscious|seizure|"
    "worse",
    "knocked out", "was knocked unconscious",
    "stomach * rigid|hard as a board|board like|hard and swollen",
    "severe|worst|unbearable|excruciating|agonising|agonizing * stomach|lower right|"
    "right side * pain|ache|cramps",
    "appendicitis", "appendix",
    "burn|burned|burnt|scald|scalded * whole|skin peeling|skin coming off|blisters all over|"
    "face|chemical|electrical",
    "boiling water|hot oil|hot fat|boiling oil * burn|burned|burnt|scalded|skin|spilled|"
    "poured|blisters",
    "skin * coming off|peeling off|melted|charred|white and leathery",
    "fell into|fell in|went under|was under *3 pool|pond|river|lake|bath|bathtub|water|sea",
    "under the water|underwater * minute|minutes|seconds|for a bit|not breathing",
    "pulled * out of *2 pool|water|river|lake|sea|bath",
    "stopped sweating", "not sweating * hot|confused|dizzy",
    "hot to touch|hot to the touch|very hot|overheated|heat * confused|collapsed|passed out|"
    "fainted|stumbling|not making sense",
    "diabetic|diabetes|blood sugar|sugar|glucose|insulin * confused|confusion|shaky and|"
    "sweaty and|drowsy|unconscious|passed out|fitting|seizure|can't think|not making sense|"
    "slurring",
    "blood sugar|sugar|glucose * very low|really low|dangerously low|won't come up|"
    "won't go up|keeps dropping|very high|really high|dangerously high|reads hi|says hi",
    "mottled skin", "skin is mottled", "blotchy skin and fever",
    "testicle|testicles|balls|scrotum * sudden|severe|twisted|excruciating|agony",
    "sudden|severe * testicle|testicular",
    "tearing|ripping *2 pain|chest|back",
    "heart * racing|pounding|fluttering|beating fast * faint|dizzy|passed out|chest|"
    "can't breathe|short of breath",
    "palpitations * chest pain|fainted|fainting|passed out|dizzy|short of breath",
    "jaw|arm|shoulder * pain|ache|numb * sweating|sweaty|clammy|short of breath|nausea",
    "cold sweat|clammy|sweating buckets * chest|arm|jaw|breath|faint",
    "can't lift|can't raise|can't move|can't feel|can't grip *2 arm|leg|hand|side",
    "face * numb|tingling on one side|feels numb|gone numb",
    "dizzy|dizziness * can't walk|can't stand|slurred|double vision|numb|weak on",
    "sudden|suddenly * can't walk|lost balance|loss of balance|trouble walking|"
    "falling to one side|worst headache|severe headache",
    "trouble|difficulty|can't * speaking|talking|finding words|finding my words|"
    "understanding",
    "breathless|winded|out of breath * talking|resting|lying down|sitting|at rest",
    "nostrils flaring", "ribs pulling in",
    "wheezing|wheezy * can't|won't stop|getting worse|blue|inhaler",
    "inhaler * not working|isn't helping|doesn't help|no help|not helping|every hour",
    "asthma * not working|can't breathe|getting worse|blue|can't talk|can't speak",
    "nosebleed|nose bleed|nose is bleeding|nose * won't stop|for 20 minutes|for 30 minutes|"
    "pouring|gushing|an hour",
    "blood thinner|blood thinners|warfarin|eliquis|xarelto|apixaban * bleeding|fell|"
    "hit my head|won't stop|blood",
    "coffee grounds", "soaking * pad|pads|tampon|towel every hour",
    "can't wake|can't rouse|won't rouse|won't respond|not responding *2 dad|mum|mom|"
    "husband|wife|son|daughter|grandma|grandpa|grandad|granny|partner|friend|"
    "boyfriend|girlfriend|brother|sister|father|mother",
    "very drowsy", "confused and drowsy",
    "son|daughter|child|kid|toddler|little one|year old|years old * not breathing|"
    "stopped breathing|turning blue|went blue|unconscious|unresponsive|not responding|"
    "seizure|fitting|stiff neck|purple rash|floppy|limp|won't wake|hard to wake",
    "ate|eaten|eating * peanut|peanuts|nuts|shellfish|sesame * throat|lips|tongue|"
    "breathing|hives|wheezing",
    "bitten by|bit by|stung by * snake|rattlesnake|adder|black widow|brown recluse|"
    "scorpion|jellyfish",
    "fever|temperature * shivering uncontrollably|shaking uncontrollably|rigors|"
    "can't stop shaking|not peeing|racing heart|very unwell",
    "red streak|red streaks|red line * spreading|up my arm|up my leg|up his arm|up her leg",
    "eye * pain * vomiting|halos|vision|blurry", "something in my eye * can't see|blood",
    "fruity breath", "can't keep water down", "can't keep fluids down",
    "haven't pooped|no bowel movement|haven't passed gas * vomiting|swollen|bloated",
    "back pain * can't pee|wet myself|numb bum|numbness between|lost control",
    "lost control * bladder|bowels|of my bladder|of my bowels",
    "can't feel my legs", "can't move my legs",
    "fell from|fell off|fallen off * ladder|roof|height|balcony|stairs|horse *4 head|back|"
    "neck|can't move|unconscious|can't feel|bleeding",
    "leg|arm|wrist|ankle|finger * bent the wrong way|at a weird angle|wrong angle",
    "impaled", "nail through", "crushed under", "crush injury",
    "motorcycle accident|bike accident|car accident|car crash|crashed * unconscious|"
    "head|neck|bleeding|can't move|chest",
    "dog bite|bitten by a dog|dog bit * deep|face|won't stop bleeding|bone",
    "cpr", "no heartbeat", "collapsed and not breathing",
    "worst pain of my life", "worst pain ever", "pain is unbearable", "10 out of 10 pain",
    "blood pressure|bp * 180|190|200|210|220|230|240|250|very high|dangerously high *4 "
    "headache|chest|vision|confused|nosebleed|dizzy",
    "cold and clammy", "clammy and pale",
    "croup|stridor * struggling|blue|drooling|can't swallow|ribs",
    "drooling and can't swallow", "smoke inhalation",
    "house fire|smoke * coughing|breathing|can't breathe|dizzy|confused",
    "spiked my drink", "drink was spiked", "been drugged",
    "ecstasy|mdma|molly|cocaine|coke|meth|speed|lsd|ketamine * chest|overheating|"
    "heart racing|seizure|can't breathe|collapsed|passed out|unconscious",
]
_SELF_HARM_PATTERNS = [
    "want|wanna|going|planning|plan|ready|decided|thinking about|thoughts of|urge to|"
    "tempted * kill|end|hurt|harm|cut|hang|shoot|overdose|drown|poison|unalive *2 myself|"
    "my life|it all|my own life|things|everything",
    "better off * dead|without me|if i was gone|if i wasn't here|if i died|gone",
    "don't want * live|alive|exist|wake up|be here anymore|go on|keep living|be here",
    "no reason * live|living|keep going|go on|be alive|carry on",
    "nothing * to live for", "what's the point * living|of life|of going on|of being alive",
    "how many|how much * " + _PILLS + " * die|kill|not wake up|fatal|lethal|overdose|"
    "never wake|end it",
    "to not wake up", "never wake up", "go to sleep and not wake up", "sleep forever",
    "not be here tomorrow", "won't be here tomorrow", "end things",
    "gun|rifle|pistol|firearm|rope|noose * kill himself|kill herself|kill myself|end it|"
    "suicidal|shoot himself|shoot myself|end his life|end her life|end my life|"
    "doesn't want to live|don't want to live",
    "edge of * bridge|roof|cliff|building|platform|tracks",
    "standing on * ledge|railing|edge|bridge railing",
    "on the ledge", "on a ledge",
    "wanna|want to|gonna|going to|about to|might|will|should * kms",
    "cutting * again|myself|my arms|my wrists|my legs|my thighs",
    "cut * wrists|my arms on purpose|my legs on purpose",
    "suicidal * thoughts|feelings|ideation",
    "giving away * my things|my stuff|my belongings",
    "wrote a note|written a note|writing a note|left a note",
    "end it|ending it * tonight|today|soon|all",
    "no point * living|in living|going on|being alive|in life|anymore",
    "tired of living|tired of being alive|sick of living|tired of life",
    "wish * dead|never been born|wasn't alive|weren't alive|wouldn't wake up|"
    "didn't wake up|could die|could just die",
    "thinking about|thoughts of|thoughts about|think about * dying|death|suicide|"
    "killing myself|ending it",
    "researching|looking up|googling|searching * how to die|ways to die|painless|"
    "overdose|lethal dose|how to kill",
    "painless way to die", "painless death", "quickest way to die", "easiest way to die",
    "how to die", "ways to die", "ways to kill myself",
    "hearing voices * kill|hurt|die|harm", "voices * telling me to",
    "want to hurt someone", "going to hurt someone", "going to kill someone",
    "want to kill someone", "thoughts of harming", "thoughts of hurting",
    "hearing voices", "stockpiling * pills|tablets|meds|medication",
    "saving up * pills|tablets|meds|medication", "have a plan|made a plan|got a plan * die|"
    "end|kill|tonight|pills|do it",
    "nobody would miss me", "no one would miss me", "no one would care if i died",
    "nobody would care if i died", "i'm a burden", "burden to everyone",
    "want it all to end", "want it all to stop", "want everything to end",
    "take my life", "been hurting myself", "hurting myself again", "hurt myself again",
    "hurt myself|harm myself * tonight|on purpose|deliberately",
    "rather be dead", "rather not be alive", "die in my sleep",
    "hope * don't wake up|never wake up|die in my sleep|don't wake",
    "wouldn't mind dying", "wouldn't mind if i died", "wouldn't care if i died",
    "wouldn't mind not waking up", "happier without me", "given up on life",
    "give up on life", "not want to be alive", "rather disappear forever",
]
_POISONING_PATTERNS = [
    _CHILD + " * ate|eaten|swallowed|drank|drunk|chewed|got into|bit into|licked|"
    "sucked on|took *5 " + _PILLS + "|" + _HOUSEHOLD + "|mushroom|mushrooms|berries|"
    "plant|leaves|alcohol|vodka|coins",
    "took|taken|swallowed|had|ate|taking|necked|downed *2 " + _NUMBERS + " *3 " + _PILLS,
    "too much|too many|double|twice|extra * " + _PILLS,
    "drank|swallowed|ate|drunk|chewed|bit into|licked|inhaled|sniffed|huffed * "
    + _HOUSEHOLD,
    "bleach * ammonia|vinegar|acid|toilet cleaner", "ammonia * bleach",
    "chlorine gas", "fumes * dizzy|can't breathe|coughing|headache|chest|passed out",
    _PILLS + " * alcohol|drinking|drunk|vodka|beer|wine|whiskey",
    "drinking|drunk|alcohol|vodka|wine|beer * " + _PILLS,
    "a bunch of|a handful of|lots of|loads of|a lot of|whole bottle of|whole pack of|"
    "whole packet of|whole box of|all my|all of my *2 " + _PILLS,
    "co detector|co alarm|carbon monoxide alarm * going off|beeping|dizzy|headache",
    "pinpoint pupils",
    "accidentally * took|swallowed|drank|ate|gave|injected * double|twice|wrong|too much|"
    "someone else's|the wrong|extra",
    "gave|given * my child|my son|my daughter|the baby|my baby|him|her * double|twice|"
    "too much|wrong|adult|two doses",
    "mushroom|mushrooms * vomiting|sick|hallucinating|confused|diarrhea",
    "sniffing|huffing|inhaling * gas|glue|aerosol|solvent|paint thinner",
    "took all my|took all of my|swallowed all my|swallowed all of my",
    "took|swallowed|ate * my mum's|my mom's|my dad's|someone else's|grandma's|my nan's *2 "
    + _PILLS,
]
_PREGNANT = ("pregnant|pregnancy|expecting|weeks along|weeks gestation|trimester|my bump|"
             "baby bump|due date|my midwife|my ob|my obgyn|antenatal|prenatal|"
             + "|".join(f"{n} weeks|{n} wks" for n in range(12, 43)))
_PREGNANCY_SIGNS = (
    "blurry|blurred|seeing spots|flashing lights|vision|swollen face|face is swollen|"
    "face swelling|swelling in my face|hands are swollen|sudden swelling|bleeding|"
    "heavy bleeding|blood|clots|spotting|water broke|waters broke|leaking fluid|leaking|"
    "gush of fluid|not moving|stopped moving|less movement|fewer movements|no movement|"
    "quiet all day|fever|high temperature|fell|fall|car accident|contractions|tightenings|"
    "constant pain|pain that won't|doesn't ease|vomiting blood|can't keep anything down|"
    "fainted|passed out|itching|chest pain|short of breath|severe headache|bad headache")
_PREGNANCY_PATTERNS = [
    _PREGNANT + " * severe|bad|really bad|terrible|awful|worst|pounding|splitting * "
    "headache|head pain|stomach pain|pain|cramps|cramping|bleeding",
    _PREGNANT + " *6 " + _PREGNANCY_SIGNS,
    _PREGNANCY_SIGNS + " *4 pregnant|weeks pregnant|pregnancy|weeks along|trimester",
    "my water|my waters * broke|broken|have gone|went|breaking",
    "baby|babys|bump * kicks|kicking|movements * less|fewer|stopped|not|reduced|hasn't|"
    "haven't|quiet",
    "baby|babys * not moving as much|moving less|less active|very quiet today",
    "gave birth|had my baby|had a baby|since the birth|after the birth|postpartum|"
    "after delivery|c section * soaking|heavy bleeding|bleeding heavily|clots|fever|"
    "severe headache|chest pain|short of breath|hurt the baby|hurt my baby|hearing voices",
    "positive test|positive pregnancy test|pregnancy test * one side|shoulder tip|"
    "sharp pain|severe pain|bleeding|fainted|dizzy",
    "miscarrying", "having a miscarriage", "think i'm having a miscarriage",
    "miscarriage * bleeding|pain|heavy|soaking|clots|fever",
    "baby is coming|baby's coming * now|fast|can't get|head", "crowning",
    "can see the head", "can see the baby's head",
    "itching|itchy * palms|soles|hands and feet *3 pregnant|weeks",
    "pregnant|weeks * itching|itchy * palms|soles|hands and feet",
    "no heartbeat", "can't find the heartbeat", "can't find a heartbeat",
    "pregnant|weeks pregnant * high blood pressure|bp is high|hit in the stomach|punched|"
    "kicked|fell on my stomach",
]
_INFANT_PATTERNS = [
    _YOUNG_BABY + " * fever|temperature|temp|hot|feverish|high temp|burning up|38",
    "fever|temperature|temp * newborn|day old|days old|week old|weeks old",
    "baby|newborn|infant|babys|day old|week old|weeks old|month old * floppy|limp|"
    "lethargic|very sleepy|really sleepy|won't wake|not waking|hard to wake|unresponsive|"
    "not responding|turning blue|turned blue|went blue|is blue|looks blue|lips are blue|"
    "blue lips|blue around the mouth|looks grey|turned grey|is grey|went grey|mottled|"
    "not breathing|stopped breathing|struggling to breathe|grunting|ribs sucking in|"
    "not feeding|won't feed|refusing feeds|refusing to feed|barely feeding|barely fed|"
    "hasn't fed|barely taken|no wet|dry diaper|dry nappy|hasn't had a wet|fewer wet|"
    "seizure|fitting|jerking|bulging|sunken|high pitched|vomiting green|green vomit|"
    "projectile|blood in|rash that doesn't fade|purple spots|fell off|fell from|"
    "rolled off|dropped|hit his head|hit her head|bumped his head|bumped her head|yellow",
    "rolled off * bed|sofa|couch|changing table",
    "fell off * bed|sofa|couch|changing table",
    "baby|newborn|infant * breathing * fast|hard|weird|grunting|struggling|pauses|stops",
    "baby|newborn|infant * cold to touch|very cold|cold and floppy|dehydrated|sunken eyes|"
    "no tears|hasn't peed|no pee|not peeing",
    "baby|newborn|infant * not himself|not herself|not acting right|just not right|"
    "breathing funny|noisy breathing",
]

DEFAULT_POLICY: dict = {
    "default_message": DEFAULT_MESSAGE,
    "categories": {
        "self_harm": {
            "action": "defer",
            "priority": 110,
            "message": SELF_HARM_MESSAGE,
            "phrases": _SELF_HARM + _SELF_HARM_PATTERNS,
        },
        "emergency": {
            "action": "defer",
            "priority": 100,
            "message": EMERGENCY_MESSAGE,
            "phrases": _HEART + _STROKE + _BRAIN_INFECTION + _BREATHING + _BLEEDING
            + _ALLERGY + _CONSCIOUSNESS + _SEIZURE + _OTHER_EMERGENCY + _EMERGENCY_PATTERNS,
        },
        "poisoning_overdose": {
            "action": "defer",
            "priority": 90,
            "message": POISONING_MESSAGE,
            "phrases": _POISONING + _POISONING_PATTERNS,
        },
        "infant_red_flags": {
            "action": "defer",
            "priority": 85,
            "message": INFANT_MESSAGE,
            "phrases": _INFANT + _INFANT_PATTERNS,
        },
        "pregnancy_red_flags": {
            "action": "defer",
            "priority": 80,
            "message": PREGNANCY_MESSAGE,
            "phrases": _PREGNANCY + _PREGNANCY_PATTERNS,
        },
        "medication_dosage": {
            "action": "monitor",
            "priority": 20,
            "message": DOSAGE_MESSAGE,
            "phrases": _DOSAGE,
        },
    },
}
