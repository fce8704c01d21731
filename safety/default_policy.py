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

from .triage_policy import TRIAGE_FINDINGS, TRIAGE_RULES

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
URGENT_MESSAGE = (
    "This needs to be looked at by a doctor or nurse today rather than answered by me. "
    "Please contact your doctor, an urgent care centre or your local urgent advice line "
    "(111 in the UK) today. If it gets much worse quickly, call your local emergency number."
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
    "baby fell off|baby fell from|baby fell down|baby fell onto|baby fell out|"
    "baby fell and|baby has fallen", "baby fell off the bed", "baby hit his head", "baby hit her head",
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

# -- Lay language --------------------------------------------------------------------
# The lists above were written symptom by symptom. The ones below cover each red-flag
# concept the way a triage nurse hears it: body-part synonyms, metaphors, slang, other
# people ("my dad", "the baby"), and context given in one sentence with the sign in
# another ("..." links). The vocabularies are shared, so one concept is one line. Words
# that are harmless on their own ("temperature", "blue", "fall", "weight", "reaction")
# only appear inside the combinations that make them a red flag.
_CHEST = "chest|ribcage|rib cage|breastbone|breast bone|sternum|ticker"
_CHEST_FEEL = (
    "pain|pains|painful|hurts|hurting|hurt|ache|aching|achy|tight|tightness|tightening|"
    "pressure|crushing|crushed|squeezing|squeezed|squeeze|squished|heavy|heaviness|"
    "stabbing|gripping|gripped|clamped|vice|vise|caving in|agony|killing me|exploding|"
    "bursting|strange feeling|weird feeling|discomfort")
_CHEST_FEEL_BEFORE = ("pain|pains|tightness|pressure|crushing|squeezing|heaviness|stabbing|"
                      "gripping|agony|discomfort|ache|aching|crushed|squeezed")
_PERSON = ("dad|mum|mom|mam|mother|father|husband|wife|partner|son|daughter|boy|girl|"
           "child|kid|brother|sister|grandma|grandpa|grandad|granddad|grandmother|"
           "grandfather|nan|nana|nanna|granny|gran|friend|mate|flatmate|roommate|"
           "boyfriend|girlfriend|uncle|aunt|auntie|neighbour|neighbor|colleague|coworker|"
           "he|she|hes|shes|someone|somebody|man|woman|guy|lady|patient")
_DROOP = ("droop|drooping|droopy|dropped|dropping|sagging|sagged|saggy|lopsided|wonky|"
          "crooked|slanted|skewed")
_DROOP_SIDE = (_DROOP + "|slipped|slid|sliding|uneven|twisted|pulled down|gone funny|"
               "gone weird|looks weird|looks funny|looks wrong|frozen|paralysed|"
               "paralyzed|dead|numb|not moving|won't move|fallen|feels funny|feels weird|"
               "feels strange|feels numb|feels heavy|feels dead|tingling|tingly")
_LIMB_GONE = ("weak|weakness|numb|numbness|dead|dead weight|floppy|flopped|limp|heavy|"
              "useless|paralysed|paralyzed|gone|won't work|not working|stopped working|"
              "won't move|can't move|can't lift|can't feel|like it's not mine|"
              "doesn't feel like mine|pins and needles")
_SPEECH_BAD = ("slurred|slurring|garbled|jumbled|muddled|mixed up|gibberish|nonsense|"
               "mumbling|babbling|not making sense|coming out wrong|won't come out|"
               "all wrong|all over the place")
# Someone else's acute confusion ("he's confused"), not "I'm confused about my bill".
_CONFUSED = ("is confused|was confused|are confused|seems confused|seemed confused|"
             "acting confused|became confused|becoming confused|getting confused|"
             "gone confused|more confused|very confused and|confused and drowsy|"
             "confused and sleepy|confused and not|feel confused|feeling confused|"
             "not making sense|isn't making sense|talking nonsense|talking rubbish|"
             "doesn't know where|doesn't know who|didn't know where|doesn't recognise|"
             "doesn't recognize|didn't recognise|didn't recognize|delirious|disoriented|"
             "disorientated|is muddled|seems muddled|very muddled|"
             "hallucinating|acting drunk|seems drunk|like he's drunk|like she's drunk|"
             "acting strange|acting strangely|acting weird|not himself|not herself|"
             "out of it|away with the fairies")
_FEVER = ("fever|feverish|febrile|high temperature|high temp|raised temperature|"
          "a temperature|a temp|burning up|roasting hot|boiling hot|red hot|raging fever|"
          "hot to touch|hot to the touch")
_FEVER_NUMBER = "|".join([f"{a} {b}" for a in (38, 39, 40) for b in range(10)]
                         + ["38 degrees", "39 degrees", "40 degrees", "38c", "39c", "40c",
                            "100 4", "100 5", "100 8", "101", "102", "103", "104"])
_HEAD_HIT = ("hit|banged|bumped|knocked|smacked|whacked|cracked|bashed|clonked|fell on|"
             "landed on|kicked in|punched in *3 head|skull|forehead")
_HEAD_SIGNS = (
    "sick|vomit|vomiting|throwing up|threw up|drowsy|sleepy|dozing|" + _CONFUSED + "|"
    "im confused|passed out|knocked out|unconscious|blacked out|seizure|fitting|"
    "can't remember|doesn't remember|don't remember|repeating himself|repeating herself|"
    "repeating myself|same questions|same question|clear fluid|fluid from|"
    "blood from his ear|blood from her ear|blood from my ear|pupil|pupils|slurring|"
    "unsteady|wobbly|worst headache|headache getting worse|headache is getting worse|"
    "severe headache|double vision|can't see properly")
_ALLERGEN = (
    "prawn|prawns|shrimp|shellfish|crab|lobster|mussels|fish|nut|nuts|peanut|peanuts|"
    "peanut butter|cashew|cashews|almond|almonds|walnut|walnuts|pistachio|hazelnut|"
    "sesame|kiwi|egg|eggs|satay|bee|wasp|hornet|sting|stung|penicillin|amoxicillin|"
    "antibiotic|antibiotics|new medication|new medicine|new tablets|injection|latex|"
    "allergic|allergy|allergies")
_DIABETIC = ("diabetic|diabetes|type 1|type one|t1d|type 2|type two|insulin|hypo|"
             "blood sugar|blood sugars|sugar levels|sugar level|my sugars|his sugars|"
             "her sugars|glucose|dexcom|libre|my meter|the meter")
_PREGNANT_ANY = (
    "pregnant|pregnancy|expecting a baby|weeks along|weeks gone|weeks pregnant|"
    "months along|months pregnant|months gone|trimester|my bump|baby bump|due date|"
    "my midwife|my ob|my obgyn|antenatal|prenatal|positive pregnancy test|"
    + "|".join(f"im {n} weeks|is {n} weeks|at {n} weeks|week {n}|{n} weeks pregnant|"
               f"{n} weeks gone|{n} weeks along|{n} wks pregnant" for n in range(4, 43)))
_PRETERM = "|".join(f"im {n} weeks|is {n} weeks|at {n} weeks|week {n}|{n} weeks pregnant|"
                    f"{n} weeks gone|{n} weeks along|{n} wks" for n in range(20, 37))
_POSTPARTUM = ("gave birth|given birth|giving birth|had my baby|had the baby|"
               "since the birth|after the birth|postpartum|post partum|after delivery|"
               "since delivery|c section|csection|caesarean|cesarean|"
               "since having the baby|since having my baby")
_YOUNG = ("newborn|new baby|day old|days old|week old|weeks old|wk old|wks old|"
          "1 month old|one month old|2 month old|two month old|2 months old|"
          "two months old|6 week|8 week|10 week|12 week|4 week|3 week|2 week|1 week|"
          "just born|born last week|born yesterday|born 2 weeks ago|born a week ago|"
          "born 10 days ago|brought her home from hospital|brought him home from hospital|"
          "brought her home from the hospital|brought him home from the hospital|"
          "brought our baby home|brought the baby home")
_INFANT_ANY = "baby|newborn|infant|bubba|" + _YOUNG
_INFANT_SIGNS = (
    "floppy|limp|lethargic|listless|very sleepy|really sleepy|so sleepy|too sleepy|"
    "won't wake|not waking|can't wake|hard to wake|difficult to wake|unresponsive|"
    "not responding|not reacting|turning blue|turned blue|went blue|goes blue|"
    "going blue|looks blue|blue lips|lips are blue|blue around|blue round|bluish|"
    "blueish|dusky|turned grey|went grey|looks grey|is grey|gone grey|mottled|"
    "pale and cold|cold and pale|very pale|not breathing|stopped breathing|"
    "stops breathing|pauses in breathing|pauses in his breathing|"
    "pauses in her breathing|struggling to breathe|working hard to breathe|"
    "breathing fast|breathing really fast|breathing very fast|ribs sucking|"
    "ribs pulling|tummy sucking|chest sucking|nostrils flaring|head bobbing|"
    "grunting with|grunting when|grunts with|not feeding|won't feed|barely feeding|"
    "barely fed|refusing feeds|refusing to feed|refusing all feeds|refusing milk|"
    "won't take her bottle|won't take his bottle|won't take the bottle|"
    "won't take any milk|not interested in feeds|not interested in feeding|hasn't fed|"
    "barely taken|taken hardly anything|no wet|dry nappy|dry nappies|hasn't had a wet|"
    "fewer wet|only one wet|hardly any wet|not peed|hasn't peed|"
    "no tears when|sunken|bulging|seizure|fitting|convulsion|went stiff|goes stiff|"
    "rolling eyes|eyes rolling|high pitched cry|high pitched crying|"
    "high pitched scream|weak cry|moaning|green vomit|vomiting green|green bile|"
    "projectile|blood in|purple spots|purple rash|non blanching|rash that doesn't fade|"
    "not himself|not herself|jaundiced|looks yellow|skin is yellow|eyes are yellow|"
    "turning yellow|gone yellow")
_WAKE_NOT = ("won't wake|wont wake|isn't waking|not waking|hasn't woken|hasn't woke|"
             "can't wake|couldn't wake|can't rouse|won't rouse|unrousable|unrouseable|"
             "won't come round|isn't coming round|not coming round|hasn't come round|"
             "won't come to|hasn't come to|not coming to|won't respond|doesn't respond|"
             "isn't responding|not responding|unresponsive|won't answer|isn't answering|"
             "not answering|not reacting|isn't moving|not moving|won't move|"
             "isn't breathing|not breathing|stopped breathing|out cold|out for the count")


_EMERGENCY_PATTERNS = [
    "chest * " + _CHEST_FEEL,
    f"{_CHEST_FEEL_BEFORE} *3 {_CHEST}",
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
    f"{_CONFUSED}|confusion|drowsy|hard to wake|floppy|seizure|mottled|blotchy",
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
    "heavy bleeding|clots|spotting|water broke|waters broke|leaking fluid|"
    "gush of fluid|not moving|stopped moving|less movement|fewer movements|no movement|"
    "quiet all day|fever|high temperature|fell over|fell down|fell on|fell off|had a fall|"
    "a fall|took a fall|car accident|"
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
    "pregnant|pregnancy * contractions|tightenings|regular cramps",
    "pregnant|weeks pregnant * high blood pressure|bp is high|hit in the stomach|punched|"
    "kicked|fell on my stomach",
]
_INFANT_PATTERNS = [
    _YOUNG_BABY + " * fever|a temperature|high temperature|raised temperature|"
    "temperature of 38|temperature of 39|temp of 38|temp of 39|temperature is 38|"
    "temp is 38|feels hot|very hot|really hot|so hot|feverish|high temp|burning up|38|39",
    "fever|a temperature|high temperature|high temp|feverish * newborn|day old|days old|"
    "week old|weeks old",
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

_CARDIAC_LAY = [
    f"ribcage|rib cage|breastbone|breast bone|sternum|ticker * {_CHEST_FEEL}",
    "heart|ticker *2 pain|pains|hurts|hurting|squeezing|squeezed|crushing|stabbing|agony",
    "pain in|pains in|pain around|squeezing|crushing|stabbing pain in *2 heart|ticker",
    "elephant|ton of bricks|tonne of bricks|someone sitting|someone standing|"
    "something sitting|something heavy|sitting on|standing on|weight on|weight sitting on|"
    "weight pressing on|a vice|a vise|"
    "a clamp|tight band|iron band|a fist *4 chest",
    "clutching|clutched|clutches|clutch|grabbing|grabbed|gripping *3 chest|heart",
    "chest|heart *6 in a vice|like a vice|in a vise|like a vise|in a clamp|being squeezed|"
    "being crushed|being stood on|being sat on|sat on|in a fist",
    "chest *8 arm|arms|jaw|neck|shoulder|shoulders|back|shoulder blades|elbow|wrist|teeth "
    "*6 pain|hurts|hurting|ache|aches|aching|numb|tingling|tingly|heavy|dead|"
    "pins and needles",
    "pain|ache|hurts|tightness|pressure * arm|jaw|neck|shoulder|back *6 chest",
    "pain|pressure|tightness|ache|aching|crushing|squeezing|heaviness|hurts|hurting|"
    "burning|discomfort *4 middle of my chest|centre of my chest|center of my chest|"
    "middle of the chest|centre of the chest|middle of his chest|middle of her chest",
    "chest * spreading|spreads|spread|going|goes|went|radiating|radiates|moving|moves|"
    "shooting|travelling|traveling *4 arm|arms|jaw|neck|back|shoulder|shoulders|teeth",
    "pain|ache|aching|hurts|hurting * jaw|arm|shoulder blades|between my shoulders *6 "
    "sweating|sweating buckets|cold sweat|clammy|breathless|short of breath|faint|grey|gray",
    "heartattack|hartattack",
    "chest *10 sweating|cold sweat|drenched|soaked in sweat|dripping with sweat|clammy|"
    "grey and|gone grey|gray and|gone gray",
    "sweating|cold sweat|drenched|clammy *8 chest",
    "indigestion|heartburn * sweating|clammy|grey|gray|arm|jaw|short of breath|breathless|"
    "faint",
    "arm|jaw|shoulder * pain|hurts|hurting|ache|aching|numb|tingling * sweating|clammy|"
    "breathless|short of breath|faint|grey|gray",
    "heart * racing|pounding|thumping|hammering|going like mad|going crazy|beating out|"
    "banging|fluttering|burst|bursting|explode|exploding|jump out|jumping out|"
    "beating really fast|beating so fast|beating fast|beating irregularly|beating irregular|"
    "skipping|all over the place|irregular|erratic|flip flopping|"
    "pounding out|thumping out * blacked out|black out|nearly fainted|nearly passed out|faint|"
    "chest|can't breathe|breathless|short of breath|collapsed",
]
_STROKE_LAY = [
    f"face|mouth|smile|lip|cheek|eye|eyelid * {_DROOP_SIDE} *4 one side|left side|"
    "right side|on one side|on the left|on the right|side of",
    f"one side of|left side of|right side of|half of|half my|half his|half her *3 "
    f"face|mouth|smile|lip * {_DROOP_SIDE}",
    f"face|mouth|smile|lip|cheek * {_DROOP}",
    "lopsided|wonky|crooked|droopy|drooping|twisted|uneven|dropped|slanted *3 "
    "face|smile|mouth|grin",
    "dribbling|drooling|dribbles|drools * one side|side of his mouth|side of her mouth|"
    "corner of his mouth|corner of her mouth|corner of my mouth",
    f"left side|right side|one side|left hand side|right hand side * {_LIMB_GONE}",
    f"arm and leg|leg and arm|arm and face|face and arm|side of my body|"
    f"side of his body|side of her body * {_LIMB_GONE}",
    "can't feel|can't move|can't use|lost feeling in|no feeling in|lost use of *3 "
    "left side|right side|one side|arm and leg|face and arm|half my body|half his body|"
    "half her body",
    "arm|hand|leg * flopped|floppy|went limp|gone limp|fell limp|dead weight|just dropped|"
    "suddenly dropped|suddenly weak|suddenly useless|suddenly numb",
    "speech * slurred|slurring|slurry|garbled|jumbled|muddled|mixed up|gibberish|"
    "nonsense|funny|strange|weird|wrong|sounds drunk|mumbling|thick|sloppy|"
    "not making sense|all over the place",
    f"words|talking|speaking * {_SPEECH_BAD}|like he's drunk|like she's drunk|"
    "like he is drunk|like she is drunk",
    "sounds drunk|sounds like he's drunk|sounds like she's drunk|sounds like he is drunk|"
    "sounds like she is drunk",
    "can't get * words out|my words out|the words out|a sentence out|sentences out|"
    "a word out",
    f"{_PERSON} *3 slurring|slurred|slurry|is slurring|started slurring|"
    "not making sense|isn't making sense|talking nonsense|"
    "talking gibberish|talking rubbish|talking funny|speaking gibberish",
    "suddenly|sudden|all of a sudden|out of nowhere|without warning * confused|"
    "muddled|disoriented|doesn't know|can't speak|can't talk|slurring|slurred|weak|numb|"
    "floppy|drooping|droopy|can't see|blind|double vision|seeing double|can't walk|"
    "can't stand|falling over|fell to one side|lost balance|not making sense|"
    "not himself|not herself|acting strange",
    f"{_CONFUSED} *6 suddenly|all of a sudden|out of nowhere|this morning|"
    "in the last hour|an hour ago|since lunch|since he woke|since she woke",
    "can't see out of|lost sight in|lost the sight in|blind in|vision went in|"
    "vision gone in|gone blind in|went black in *3 eye|eyes|one eye|left eye|right eye",
    "curtain|shadow|veil * over my eye|over my vision|came down|coming down|"
    "across my vision|across my eye",
    "seeing double|double vision|everything doubled * dizzy|spinning|can't walk|slurred|"
    "headache|numb|weak|vomiting|suddenly|sudden",
    "room spinning|room is spinning|room's spinning * can't walk|can't stand|"
    "seeing double|double vision|slurred|numb|weak|falling",
    "worst * head pain|pain in my head|headache ever|migraine|headache i've ever|"
    "migraine ever|headache of my",
    "headache|head pain|pain in my head|migraine * hit with|hit by|hit over|baseball bat|"
    "cricket bat|a bat|hammer blow|sledgehammer|been shot|kicked in|explosion|exploded|"
    "exploding|thunderclap|thunder clap|lightning|bomb|came on suddenly|"
    "came out of nowhere|out of nowhere|in seconds|within seconds",
    "thunderclap",
    "sudden|suddenly|out of nowhere|out of the blue * splitting|severe|blinding|"
    "excruciating|agonising|agonizing|horrendous|massive|unbearable|crippling *2 headache|"
    "head pain|pain in my head|pain in the back of my head|migraine",
    "is it a stroke|is this a stroke|having a mini stroke|had a mini stroke",
]
_BREATHING_LAY = [
    "can't|cannot|unable to|struggling to|hard to|fighting to *3 get air|get any air|"
    "get enough air|get a breath|get my breath|get his breath|get her breath|"
    "get air in|catch my breath|take a breath|draw breath|breathe in|breathe out|"
    "breathe properly|breathe at all",
    "can hardly|can barely|can't hardly|could hardly|could barely|struggle to|"
    "struggles to|struggling to *1 breathe|breath|get air|get a breath",
    "air|breath|oxygen * won't go in|won't come in|not going in|isn't going in|can't get in|"
    "won't get in|not getting in|running out",
    "suffocating|smothering|smothered|drowning * breathe|breath|chest|lips|inhaler|asthma",
    "feel like|feels like * suffocating|drowning|being strangled|can't breathe|"
    "breathing through a straw",
    "breathing through a straw", "through a straw * breath|breathe|breathing",
    "gasping * breath|air|inhaler|blue|chest|lips",
    "breathless|breathlessness|out of breath|short of breath|winded|puffed out * "
    "can't talk|can't speak|can't finish|can't say|can't walk|can't lie|can't lie down|"
    "lips|blue|grey|chest|sitting still|sitting down|at rest|resting|doing nothing|"
    "getting worse|really bad|so bad|suddenly|sudden",
    "breathing|breaths * really fast|very fast|so fast|super fast|rapid|panting|shallow|"
    "rattly|rattling|gurgling|crackly",
    "panting * sitting still|at rest|resting|doing nothing|lips|blue|can't talk|can't speak",
    "wheezing * so bad|really bad|badly|lips|blue|can't talk|can't speak|can't walk",
    "inhaler * doing nothing|does nothing|did nothing|useless|not touching|isn't touching|"
    "not doing|isn't doing|not working|isn't working|doesn't work|didn't work|not helping|"
    "isn't helping|doesn't help|didn't help|no help|no difference|every few minutes|"
    "every 10 minutes|every 20 minutes|10 puffs|ten puffs|20 puffs",
    "asthma * attack|blue|lips|ambulance|can't breathe|can't talk|can't speak",
    "high pitched|squeaky|squeaking|whistling|crowing|harsh|rasping *3 noise|sound|"
    "breathing|breathes|breathe|breath",
    "stridor", "noisy breathing * drooling|can't swallow|sitting forward|blue|struggling",
    "drooling|dribbling|can't swallow * sitting forward|leaning forward|high pitched|"
    "noise|struggling to breathe",
    "choking|choked * can't breathe|can't cough|can't talk|can't speak|can't cry|blue|grey|"
    "gray|purple|not breathing",
    "went down the wrong way|gone down the wrong way|swallowed the wrong way * "
    "can't breathe|can't talk|can't speak|can't cough|can't cry|blue|choking",
    "lips|face|tongue|mouth * going blue|gone blue|went blue|turning blue|turned blue|"
    "look blue|looks blue|are blue|bluish|blueish|going grey|gone grey|turning grey|"
    "going purple|gone purple|dusky|ashen",
    "blue|bluish|blueish|grey|gray|dusky|purple * around|round *2 lips|mouth",
    "keeps choking", "he's choking", "she's choking",
]
_ALLERGY_LAY = [
    f"{_ALLERGEN} ... throat * closing|tight|tightening|swelling|swollen|thick|narrow|"
    "small|shutting",
    f"{_ALLERGEN} ... tongue|lips|lip|face|mouth|throat|cheeks * swelling|swollen|swell|"
    "huge|massive|puffed|puffy|puffing|blown up|blowing up|blew up|ballooning|ballooned|"
    "fat|thick|twice the size|too big",
    f"{_ALLERGEN} ... wheezing|wheezy|can't breathe|hard to breathe|short of breath|"
    "breathless|faint|fainted|passed out|collapsed|can't swallow|hard to swallow",
    "throat * thick|narrowing|getting smaller|shutting|shut|like a straw",
    "tongue * too big|feels big|feels huge|huge|massive|thick|fat|puffed|puffy|"
    "swelled|swells|blown up|twice the size",
    "lips|lip|face * huge|massive|puffed up|puffing up|blowing up|blown up|blew up|"
    "ballooning|ballooned|twice the size",
    "hives|welts * throat|tongue|lips|face swelling|breathing|breathe|breath|wheez|"
    "wheezing|faint|dizzy|collapsed",
    "epipen * used it|used on|jabbed|injected|didn't work|not working|second one|"
    "hasn't helped|didn't help",
    "used|gave him|gave her|gave them|had to use|needed to use|jabbed|injected|stabbed "
    "*4 epipen",
    "allergic reaction * throat|tongue|lips|face swelling|breathing|breathe|breath|"
    "dizzy|faint|wheez|wheezing|collapsed",
    "can't swallow|hard to swallow|trouble swallowing|difficulty swallowing * tongue|"
    "lips|breathing|drooling",
]
_BLEEDING_LAY = [
    "blood * pissing|pouring|gushing|spurting|squirting|pumping|pulsing|streaming|"
    "keeps coming|coming and coming|like a tap|everywhere|all over|won't stop|"
    "not stopping|isn't stopping|doesn't stop|soaked|soaking|pooling|dripping everywhere",
    "pissing|pouring|gushing|spurting|squirting|pumping|pulsing|streaming|leaking *2 blood",
    "bleeding * nonstop|non stop|won't stop|wont stop|not stopping|isn't stopping|"
    "doesn't stop|didn't stop|keeps going|for ages|for over an hour|for more than|"
    "an hour|half an hour|like crazy|like mad|like hell|really badly|so badly|heavily|"
    "loads|lots|a lot|soaked|soaking|everywhere|all over|through everything",
    "gone through|soaked through|bled through|bleeding through|blood through|"
    "soaking through *4 towel|towels|tea towel|tea towels|bandage|bandages|dressing|"
    "dressings|shirt|clothes|everything|sheets",
    "cut|gash|wound|slice|laceration|stab|stabbed * spurting|squirting|pumping|pulsing|"
    "gaping|wide open|deep|to the bone|see the bone|see bone|see inside|see fat|"
    "see tendons|won't close|won't stop",
    "sliced|slashed|ripped|split|gashed|cut * open|deep|to the bone|wide open|clean off",
    "cut|gash|wound|sliced|slashed|stabbed *8 spurting|squirting|pumping out|"
    "pulsing out|gushing|pouring out|pissing out",
    "spitting|spat|spitting up|bringing up|brought up|hacking up|hacked up|coughing up|"
    "coughed up|vomiting|vomit|throwing up|threw up|chucking up|heaving *3 blood|clots|"
    "bloody|red stuff|coffee grounds",
    "vomit * bloody|with blood|has blood|had blood|full of blood|coffee grounds|black",
    "pooing|pooping|shitting|crapping|passing *2 blood|clots|pure blood",
    "poo|poop|stool|stools|bowel movement * black|tarry|tar|like tar|sticky black|"
    "jet black|maroon|full of blood|all blood|just blood|pure blood|blood and clots",
    "blood thinner|blood thinners|anticoagulant|anticoagulants|warfarin|eliquis|xarelto|"
    "apixaban|rivaroxaban|clopidogrel|plavix|dabigatran|coumadin ... fell|fell over|"
    "had a fall|a fall|hit my head|hit his head|hit her head|banged|bumped his head|"
    "bumped her head|won't stop|head injury|bleeding heavily|nosebleed won't|"
    "vomiting blood|black poo|coughing blood|coughing up blood",
    "nose * bleeding|bled|bleed * nonstop|non stop|for ages|an hour|hour|30 minutes|"
    "20 minutes|half an hour|won't stop|not stopping|pouring|gushing|throat|loads",
    "lost * blood * dizzy|faint|woozy|pale|lightheaded|passing out",
    "there's a lot of blood|there's so much blood|there's loads of blood|so much blood|"
    "lost so much blood|losing so much blood|lots of blood everywhere|blood all over the",
]
_CONSCIOUS_LAY = [
    "keeled over|keeling over|dropped to the floor|dropped to the ground|hit the floor|"
    "hit the deck|fell to the floor|slumped|slumped over|collapsed|fainted|passed out|"
    f"blacked out|went limp|gone limp|gone floppy|went floppy *10 {_WAKE_NOT}|"
    "eyes rolled|eyes rolling|blue|grey",
    "keeled over", "out cold", "out for the count", "unrousable", "unrouseable",
    "barely conscious|semi conscious|semiconscious|half conscious|drifting in and out|"
    "in and out of consciousness|not fully conscious|isn't responding|wasn't responding|"
    "isn't responsive|not responsive",
    "went down like a sack|dropped like a stone|went down like a stone|"
    "dropped like a sack|went down like a tree",
    "gone a funny colour|going a funny colour|turned a funny colour|gone a weird colour|"
    "turned a weird colour|gone a strange colour|gone a funny color|turned a funny color|"
    "gone a weird color|turned a weird color",
    "won't come round|isn't coming round|not coming round|hasn't come round|"
    "won't come to|hasn't come to|not coming to",
    f"{_PERSON} *3 won't wake|wont wake|isn't waking|not waking|hasn't woken|hasn't woke|"
    "can't wake|can't be woken|won't rouse|unrousable|unresponsive|isn't responding|"
    "not responding|won't respond|doesn't respond|out cold|unconscious|isn't breathing|"
    "not breathing|stopped breathing|blacked out|collapsed|keeled over",
    "can't|couldn't|can't get|unable to *2 rouse|get a response|get any response|"
    "get him to respond|get her to respond|get him to wake|get her to wake|"
    "get them to wake|wake him|wake her|wake them|wake my|wake the baby|keep him awake|"
    "keep her awake|keep them awake",
    "slumped * won't answer|not answering|not responding|won't respond|unresponsive|"
    "won't wake|not breathing|isn't breathing|blue|grey|can't wake|not moving|isn't moving",
    "eyes * rolled|rolling|rolled back|rolled up|rolling back|glazed|fixed|staring * "
    "not responding|unresponsive|won't|floppy|jerking|shaking|twitching|blue|collapsed",
    "keeps * blacking out|passing out|fainting|collapsing|losing consciousness|"
    "going unconscious",
    "fainted|passed out|blacked out|collapsed *4 running|exercising|exercise|"
    "playing football|football|training|at the gym|on the treadmill|swimming|"
    "playing sport|lying down|chest pain|heart racing|racing heart|palpitations",
    "totally out of it|completely out of it|really out of it|so out of it|"
    "very out of it * can't|won't|not making sense|"
    "confused|floppy|drowsy|sleepy|pale|grey|blue|taken|took|drinking|drunk",
    "found him|found her|found them|found my|found our|found the baby|found someone|"
    "found a man|found a woman * unconscious|collapsed|slumped|unresponsive|not breathing|isn't breathing|"
    "not moving|isn't moving|out cold|not responding|won't wake|blue|cold and",
]
_SEIZURE_LAY = [
    "having a fit|had a fit|has had a fit|in a fit|having fits|had fits|another fit|"
    "first fit|keeps having seizures",
    "started fitting|keeps fitting|kept fitting|still fitting|been fitting|"
    "he's fitting|she's fitting|fitting on the floor",
    "seizing|convulsing|convulsion|convulsions * floor|ground|unresponsive|not responding|"
    "won't respond|won't stop|can't stop|minutes|eyes|foaming|frothing|blue|lips|rigid|"
    "stiff|whole body|all over|arms and legs|not answering|not breathing",
    "shaking|jerking|twitching|thrashing * unresponsive|not responding|won't respond|"
    "not answering|foaming|frothing|eyes rolled|eyes rolling|blue|not breathing|"
    "on the floor|on the ground|won't stop and",
    "fitting * floor|ground|unresponsive|minutes|won't stop|eyes|foaming|blue",
    "foaming at the mouth", "frothing at the mouth",
    "went stiff|gone stiff|goes stiff|went rigid|gone rigid|stiff as a board * jerking|"
    "twitching|shaking|eyes|blue|unresponsive|not breathing|fitting",
    "seizure|fit|fitting|convulsion * after another|back to back|one after",
    "first ever|my first|his first|her first|their first *2 seizure|fit|convulsion|fits|"
    "seizures",
    "seizure|seizures|fit|fitting|shaking|jerking|collapsed|passed out|blacked out|"
    "convulsing * bit|bitten|biting *2 tongue|cheek",
    "seizure|seizures|fit|fitting|shaking|jerking|collapsed|convulsing * wet himself|"
    "wet herself|wet myself|peed himself|peed herself|wet themselves",
    "seizure|seizures|fit|fits * longer than usual|longer than normal|longer than it normally|"
    "longer than they usually|way longer|much longer|been going on for|been going for",
    "seizing|seizure|fitting * 5 minutes|five minutes|6 minutes|10 minutes|ten minutes|"
    "15 minutes|20 minutes|half an hour|still going|won't stop|not stopping",
    "febrile convulsion|fever fit",
    "epileptic fit|epileptic seizure|grand mal|tonic clonic",
]
_MENINGITIS_SEPSIS_LAY = [
    "rash|spots|dots|marks|blotches|bruises|bruising|pinpricks * don't fade|"
    "doesn't fade|won't fade|not fading|didn't fade|don't disappear|doesn't disappear|"
    "don't blanch|doesn't blanch|won't blanch|not blanching|non blanching|nonblanching|"
    "under a glass|under the glass|glass test|tumbler test|press a glass|"
    "pressed a glass|glass on",
    "glass test|tumbler test|glass over|glass against|glass on|pressed a glass|"
    "press a glass|roll a glass|rolled a glass * rash|spots|dots|marks|still|don't fade|"
    "doesn't fade|didn't fade|didn't go|don't go|can still see",
    "non blanching|nonblanching|doesn't blanch|don't blanch|won't blanch|"
    "not blanching|petechiae|petechial|purpura|purpuric",
    "rash|spots|dots|marks|blotches|bruises *10 glass|tumbler",
    "rash|spots|dots|marks|blotches * doesn't go away|don't go away|won't go away|"
    "didn't go away|still there|can still see *6 press|pressed|pressing|glass|tumbler",
    "purple|dark red|red purple|reddish purple|pinprick|pin prick|tiny purple|"
    "little purple *2 spots|dots|rash|marks|blotches|bruises|bruising|freckles",
    f"{_FEVER}|{_FEVER_NUMBER} ... stiff neck|neck is stiff|neck stiff|can't bend|"
    "can't move his neck|can't move her neck|can't move my neck|neck hurts to bend|"
    "chin to chest|light hurts|hurts to look at light|can't stand the light|"
    f"purple|glass|mottled|{_CONFUSED}|drowsy|hard to wake|floppy|lethargic|seizure|"
    "fitting|cold hands|cold feet|hands are cold|feet are cold|freezing hands|"
    "freezing feet|hands are freezing|feet are freezing|icy hands|icy feet|"
    "shaking uncontrollably|rigors|haven't peed|hasn't peed|not peed|"
    "no pee|hasn't had a wee|haven't had a wee|not weeing|breathing very fast|"
    "breathing really fast|think i'm dying|feel like i'm dying|never felt this ill|"
    "so unwell|really unwell|very unwell",
    "cold hands|cold feet|hands are cold|feet are cold|freezing hands|freezing feet|"
    "hands are freezing|feet are freezing|icy hands|icy feet|mottled|blotchy ... "
    f"{_FEVER}",
    "neck * stiff|rigid|can't bend|won't bend|hurts to bend|can't look down ... "
    f"{_FEVER}|vomiting|throwing up|light|rash",
    "light hurts|hurts to look at the light|can't stand the light|bright light hurts|"
    "can't look at the light|can't look at light|sensitive to light|light sensitive "
    "... neck|fever|temperature|rash|stiff|" + _FEVER,
    "stiff neck|neck is stiff|neck is really stiff|neck is so stiff ... "
    f"{_FEVER}|can't look at the light|can't stand the light|light hurts|"
    "sensitive to light|rash|purple|vomiting|throwing up",
    "mottled|marbled *3 skin|legs|arms|knees|all over",
    "skin * mottled|marbled|grey|gray|patchy and",
    "infection|uti|water infection|kidney infection|chest infection|pneumonia|cellulitis|"
    "wound|abscess|flu|cut|bite|graze|red and swollen|swollen and red|red and hot|"
    f"hot and red|spreading redness|red streak ... {_CONFUSED}|heart racing|racing heart|"
    "breathing fast|shivering uncontrollably|can't stop shivering|shaking uncontrollably|mottled|haven't peed|not peed|think i'm dying|"
    "feel like i'm dying|collapsed|fainted|can't stand|very unwell|really unwell",
    "feel like i'm dying|feel like i am dying|feel like i'm going to die|think i'm dying|"
    "think i'm going to die|about to die|sense of doom|impending doom|feeling of doom|"
    "never felt this ill|never felt so ill|something is seriously wrong|"
    "something is really wrong|something's really wrong|something's seriously wrong|"
    "something is very wrong",
]
_HEAD_LAY = [
    f"{_HEAD_HIT} ... {_HEAD_SIGNS}",
    f"headbutted|head butted|headbutt|head butt|smashed my head|smashed his head|"
    f"smashed her head|took a knock|took a bang|took a hit|took a blow|got a knock|"
    f"had a knock|got a bang|had a bang|clash of heads|clashed heads ... {_HEAD_SIGNS}|"
    "keep throwing up|keeps throwing up|can't remember the",
    "fell over|fell down|fell off|had a fall|a fall|fallen|tripped|slipped|knocked over ... "
    f"head|skull ... {_HEAD_SIGNS}",
    f"{_HEAD_SIGNS}|keeps asking|keeps repeating *8 "
    + "|".join(f"{when} {how}" for when in ("after", "since", "after he", "after she",
                                              "since he", "since she")
               for how in ("hitting", "banging", "bumping", "knocking", "bashing",
                           "smacking", "whacking", "falling and hitting", "hit", "banged",
                           "bumped", "knocked", "fell and hit", "fell and banged"))
    + " *2 head|skull|forehead",
    "clear fluid|watery fluid|fluid * nose|ear *8 after the fall|after a fall|after falling|"
    "since the fall|since falling|after he fell|after she fell|since he fell|since she fell|"
    "after hitting|after banging|after the accident|after the crash|head injury",
    "pupil|pupils * bigger|smaller|different sizes|different size|uneven|not the same|"
    "one big|huge|blown|fixed|not reacting",
    "concussion|concussed|head injury|head knock|knock to the head|bang to the head|"
    f"blow to the head ... {_HEAD_SIGNS}|worse",
    f"fell over|fell down|fell off|had a fall|fallen|tripped|slipped|knocked over * "
    f"{_CONFUSED}|can't remember|doesn't remember|knocked out|unconscious|"
    "hasn't woken|not waking|can't move|can't feel",
]
_ABDOMEN_LAY = [
    "stomach|abdomen|abdominal|gut|guts|lower right|right side * rock hard|"
    "hard as a rock|hard as rock|rigid|like a board|tight as a drum|swollen and hard|"
    "hard and swollen",
    "stomach|abdominal|abdomen|gut|guts|lower right|appendix * agony|unbearable|"
    "excruciating|agonising|agonizing|can't stand|can't move|can't walk|can't straighten|"
    "rolling around|rolling on|writhing|screaming|passed out|fainted|blacked out|"
    "collapsed|10 out of 10|ten out of ten",
    "agony|unbearable|excruciating|agonising|agonizing|stabbing|severe|crippling * "
    "stomach|abdominal|abdomen|gut|guts|lower right|right side *8 can't move|can't stand|"
    "can't walk|faint|fainted|passed out|hard|rigid|swollen|blood|can't stand up",
    "haven't pooed|haven't pooped|not pooed|not pooped|no poo|no poop|can't poo|"
    "can't poop|haven't been to the toilet|not been to the toilet|can't fart|"
    "haven't farted|no wind|can't pass wind|not passing wind|constipated * vomit|"
    "vomiting|throwing up|distended|can't keep",
    "vomit|vomiting|throwing up|being sick * haven't pooed|no poo|can't fart|"
    "haven't farted|not passing wind|swollen stomach|stomach is swollen|belly is swollen|"
    "smells like poo",
]
_DIABETIC_LAY = [
    f"{_DIABETIC} ... {_CONFUSED}|im confused and|drowsy|can't wake|won't wake|not waking|"
    "hard to wake|unresponsive|not responding|unconscious|passed out|collapsed|fitting|"
    "seizure|slurring|can't think|can't get it up|won't come up|won't go up|"
    "not coming up|keeps dropping|pear drops|nail polish|nail varnish|acetone|"
    "fruity breath|breathing fast|breathing deep",
    "|".join(f"{what} {verb}" for what in (
        "blood sugar", "blood sugars", "my sugars", "my sugar",
        "sugar level", "sugar levels", "glucose", "bg", "cgm", "libre", "dexcom", "meter")
        for verb in ("is", "at", "of", "reads", "says", "reading", "showing", "shows",
                     "dropped to", "down to", "up to", "only", "just"))
    + " *2 1|2|hi|lo|25|27|28|29|30|31|32|33|35|36|40|45|50|400|450|500|550|600",
    "blood sugar|blood sugars|my sugars|his sugars|her sugars|sugar level|sugar levels|"
    "glucose * very low|really low|so low|dangerously low|super low|crashing|crashed|"
    "plummeting|dropping fast|very high|really high|so high|dangerously high|sky high|"
    "through the roof|off the chart|off the charts|too high to read|too low to read",
    "hypo|hypoglycaemic|hypoglycemic|hypoglycaemia|hypoglycemia|going low|gone low|"
    "low sugar * can't get|won't come up|not coming up|confused|drowsy|acting drunk|"
    "seems drunk|feel drunk|feels drunk|passed out|"
    "fitting|unconscious|can't wake|won't wake",
    "breath * pear drops|nail polish|nail varnish|acetone|fruity",
    "ketones * high|3|4|5|large|dark purple|very high|really high",
    "dka|ketoacidosis|hyperglycaemic|hyperglycemic",
]
# Adrenaline that has been needed, or is not working: anaphylaxis however it is told.
_ANAPHYLAXIS_PEN = [
    "epipen|epi pen|epi-pen|adrenaline pen|adrenaline injector|auto injector|autoinjector|"
    "jext|emerade|anapen * isn't helping|not helping|not working|isn't working|didn't work|"
    "hasn't worked|doesn't help|didn't help|no better|not better|still can't|still struggling|"
    "second one|another one",
    "used|had to use|had to give|gave him|gave her|gave myself|jabbed|injected|had to jab *3 "
    "epipen|epi pen|adrenaline|"
    "auto injector|autoinjector|jext|emerade",
]
_OTHER_LAY = [
    "sun|heat|heatwave|hot weather|sauna|hot car|hot day|festival|marathon|"
    f"in the heat|all day outside ... {_CONFUSED}|not sweating|stopped sweating|"
    "collapsed|passed out|fainted|fitting|seizure|hot and dry",
    "confused|dizzy|hot|very hot *6 not sweating|stopped sweating|isn't sweating",
    "baby|child|kid|toddler|dog|son|daughter * left in|locked in|"
    "stuck in|trapped in *3 hot car|car",
    "freezing|ice cold|very cold|so cold|cold to touch|cold to the touch|frozen|"
    f"hypothermic|hypothermia * drowsy|{_CONFUSED}|not shivering|stopped shivering|"
    "slurring|won't wake|not responding|unresponsive|clumsy",
    "everyone in the house|whole family|all of us|everyone at home|both of us|"
    "the whole household *6 headache|headaches|dizzy|drowsy|passed out",
    "boiler|heater|gas fire|gas heater|generator|wood burner|car running|engine running|"
    "charcoal|fumes|exhaust ... headache|headaches|dizzy|drowsy|confused|passed out|"
    "fainted|collapsed",
    "headaches|headache * go away|better|disappear|clear * leave the house|"
    "out of the house|leave home|go outside|at work",
    "bleach|chemical|chemicals|acid|alkali|lime|cement|caustic|ammonia|chlorine|"
    "oven cleaner|drain cleaner|toilet cleaner|pepper spray|superglue|super glue|"
    "detergent|laundry pod|dishwasher|cleaner|hair dye|hair relaxer|battery acid * "
    "in my eye|in the eye|into my eye|in my eyes|my eye|my eyes|eye|eyes",
    "foot|leg|arm * cold and white|white and cold|cold and pale|pale and cold|"
    "cold and blue|blue and cold|gone white|turned white|gone pale|mottled *6 numb|"
    "numbness|pain|painful|agony|can't feel|can't move|killing",
    "foot|leg|arm|toes * cold|icy|freezing * white|pale|blue|mottled|grey *6 numb|"
    "numbness|pain|painful|agony|can't feel|can't move|killing",
    "numb|can't feel|no feeling|lost feeling *3 down there|between my legs|my bum|"
    "my bottom|my backside|my privates|my genitals|saddle|when i wipe|my groin",
    "back pain|sciatica|bad back|my back ... lost control of|can't control|"
    "no control of|wet myself|peed myself|pooed myself|can't pee|can't wee|"
    "numb down there|can't feel down there|numb between|numb bum|saddle",
    "testicle|testicles|testis|testes|balls|nutsack|scrotum|privates * sudden|suddenly|"
    "agony|excruciating|agonising|agonizing|swollen and|twisted|twist|severe|vomiting|"
    "throwing up|high up|killing me",
    "kicked|hit|kneed * balls|testicles *6 swollen|vomiting|agony|hours",
    "calf|calves|leg * swollen|swelling|hot|red|painful ... breathless|short of breath|"
    "can't breathe|can't catch my breath|chest pain|pain when i breathe|coughing blood|"
    "coughing up blood|dizzy|collapsed",
    "long flight|long haul|flew back|after my operation|after surgery|since my operation|"
    "since surgery|in a cast|leg in a cast|bed rest|bedbound ... short of breath|"
    "breathless|can't catch my breath|chest pain|pain when i breathe|hurts to breathe|"
    "coughing blood|swollen calf|calf is swollen|leg is swollen",
    "every breath|every time i breathe|when i breathe in * hurts|painful|agony|stabbing|"
    "is a struggle|is an effort|is hard|kills",
    "hurts|pain|painful|sharp pain|stabbing *4 breathe in|breathing in|take a breath|"
    "deep breath|when i breathe|every breath",
    "hit|struck|smacked|whacked|kicked * chest * collapsed|fell|passed out|not breathing|"
    "unconscious|went down",
    "crushed|trapped|pinned|run over|hit by|thrown from *3 car|truck|lorry|bus|van|train|"
    "tractor|machine|machinery|motorbike|horse|bike",
    "fell from|fell off|fallen from|fallen off|jumped from *3 roof|ladder|tree|balcony|"
    "scaffolding|cliff|building|bridge|height|window|first floor|second floor",
    "stab|stabbed|knifed|glassed|bottled|beaten up|assaulted|mugged|attacked * bleeding|"
    "blood|chest|stomach|neck|head|back|can't breathe|unconscious|knife|gun",
    "can't move * legs|anything",
    "heard a crack|heard a snap|bone * sticking out|poking out|through the skin|"
    "came through",
    "call 999|call 112|call 000|call 911|ring 999|ring an ambulance|phone an ambulance|"
    "dial 999|dial 911|get an ambulance|send an ambulance|ambulance now",
    "should i go to|do i need to go to|should we go to|should i take him to|"
    "should i take her to|do we need to go to|do i go to *2 a and e|a e|"
    "accident and emergency|emergency room|the er|emergency department|casualty",
]
_SELF_HARM_LAY = [
    "want to|wanna|wish i could|need to|going to|gonna|about to|ready to|planning to|"
    "decided to|tempted to|i just want|i want *3 "
    "everything to stop|it all to stop|it to stop|it all to end|it to end|"
    "everything to end|stop existing|not exist|not to exist|cease to exist|"
    "not be alive|not be here|be dead|disappear forever|disappear and never|"
    "go to sleep forever|sleep forever|go to sleep and never|check out for good|"
    "end myself|off myself|top myself|end it|end things|end everything|end my life|"
    "take my life",
    "top myself|topping myself|topped myself|top himself|top herself|off myself|"
    "offing myself|end myself|self delete|delete myself|kill meself",
    "tonight's the night|tonight is the night|today's the day|today is the day ... "
    "done|end|over|goodbye|pills|do it|enough|finished",
    "goodbye|goodbyes|farewell * letter|letters|note|notes|message|messages|text|texts|"
    "post|video",
    "said my goodbyes|saying my goodbyes|saying goodbye to everyone|"
    "said goodbye to everyone",
    "giving away|given away|gave away|give away ... won't need|won't be needing|"
    "won't be around|won't be here|not going to need|don't need them anymore|"
    "where i'm going|after i'm gone|when i'm gone|for after",
    "won't need * where i'm going|after i'm gone|when i'm gone",
    "can't see|don't see|see no|there's no|there is no *2 way out|way forward|"
    "light at the end|escape|future for me|end to this",
    "lost all hope|given up hope|gave up hope|no hope left|given up on everything",
    "what's the point|whats the point|what is the point * carrying on|going on|"
    "living anymore|of it all|in it all|anything anymore|being here|being alive|"
    "in living|of living|waking up",
    "see the point * anymore|in anything|of anything|in living|of living|in going on|"
    "of going on|in carrying on|of carrying on|in being here|of being alive",
    "feel like a burden|feel like such a burden|i'm such a burden|i am a burden|"
    "i'm just a burden|such a burden to everyone",
    "wish i could just disappear|wish i could disappear|want to just disappear|"
    "wish i would disappear|wish i'd just disappear",
    "want it all to be over|want it all over|want it all to end now",
    "bought a rope|bought some rope|got a rope|got some rope|tied a noose|tie a noose|"
    "rope ready|rope tied|rope is ready",
    "can't see any future|see no future|no future for me|there's no future|"
    "there is no future",
    "life * not worth it|isn't worth it|no longer worth|not worth living|pointless|"
    "meaningless",
    "done with|finished with|had enough of|sick of|tired of * life|living|being alive|"
    "this life|existing|being here|my life",
    "nobody would|no one would|nobody'd|no one'd|nobody will|no one will|"
    "people wouldn't|they wouldn't *2 notice|care|miss me|"
    "even notice|even care|know *4 gone|dead|died|disappeared|wasn't here|wasn't around|"
    "killed myself|was gone|weren't here",
    "happier|easier|better|better off * without me|if i wasn't around|if i wasn't here|"
    "if i was gone|if i died|if i were gone|if i weren't here|once i'm gone|disappeared|"
    "just disappeared|vanished|if i wasn't alive|if i was dead|if i were dead|"
    "if i'd never been born|if i never existed|if i wasn't born",
    "enough|enough of my|enough of the *3 pills|tablets|meds|medication|paracetamol|"
    "painkillers|insulin *3 to do it|to end it|to die|to kill myself|to not wake up|"
    "to overdose|to end my life|to finish it",
    "pills|tablets|meds|medication|paracetamol * lined up|counted out|stashed|hoarded|"
    "in front of me",
    "hoarding|stashing|stockpiling|saving up|been saving *2 pills|tablets|meds|medication|"
    "paracetamol|painkillers",
    "take an overdose|take the lot|swallow the lot|swallowed the lot",
    "going to|gonna|want to|about to|planning to|thinking of|thinking about|tempted to|"
    "urge to|will *3 jump off|jump from|jump in front|throw myself|step in front|"
    "walk into traffic|walk in front|drive into|drive off|crash my car|crash the car|"
    "swerve into|drown myself|hang myself|slit|overdose|take an overdose",
    "noose",
    "rope|belt|cord|ligature * around my neck|round my neck|to hang|from the ceiling|"
    "from the beam|from the banister|in the loft",
    "burning|burned|burnt|burn|hitting|punching|bruising|stabbing|carving *3 myself|"
    "my arms|my legs|my skin|my wrists|my thighs|my stomach * lighter|cigarette|"
    "on purpose|deliberately|to cope|to feel something|to feel anything|blade|razor|"
    "knife|to punish",
    "cut|cutting|cuts * too deep|deeper|to cope|on purpose|relapsed|relapse",
    "scratch|scratching|scratched|pinch|pinching|bite|biting|hit|punch|punching|burn|"
    "burning|cut|cutting|starve|starving * myself|my arms|my legs|my skin|my wrists|"
    "my thighs *6 to cope|on purpose|deliberately|to punish|to feel something|"
    "to feel better|so i feel|to numb|to calm down",
    "ending it all|end it all|end it now|end it soon|end it tonight",
    "going to|gonna|want to|about to|ready to|decided to|i'll|i will|might just|might|"
    "i'm going to|i am going to *2 end it|end things|do it tonight|end everything|"
    "kill myself|end my life|check out for good|take my life",
    "thinking of|thinking about|thoughts of|thought about|fantasising about|"
    "fantasizing about|dream about|dreaming about|can't stop thinking about * ending it|"
    "ending my life|ending things|killing myself|dying|death|not being here|"
    "not waking up|driving into|overdosing",
    "tried|attempted * to hang|to overdose|to jump|to drown",
    f"{_PERSON} * talking about killing|talking about dying|talking about ending|"
    "threatening to kill|threatening to end|self harming|cutting himself|cutting herself|"
    "hurting himself|hurting herself",
    "kill himself|kill herself|kill themselves|end his life|end her life|end their life|"
    "take his life|take her life|take his own life|take her own life",
    "don't think i can go on|don't want to carry on|don't want to go on|"
    "can't do this anymore|can't take it anymore|can't cope anymore",
    "not be around much longer|won't be around much longer|won't be around for long|"
    "won't be a problem much longer|won't be a burden much longer",
]
_POISONING_LAY = [
    "took|taken|swallowed|necked|downed|popped *3 whole|entire|full|all *2 pack|packet|"
    "packets|box|boxes|bottle|bottles|prescription|strip|strips|supply|blister|tub|jar|"
    "sheet|script",
    "took|taken|swallowed|necked|downed|popped *3 the lot|everything i had|"
    "everything in",
    "took|taken|swallowed|necked|downed|had|popped|taking *2 a load of|a pile of|"
    "heaps of|tons of|a ton of|dozens of|a dozen|twenty|thirty|forty|fifty|sixty|"
    "a hundred|way too many|way too much|too many|too much *2 " + _PILLS + "|co codamol|"
    "cocodamol|codeine|his tablets|her tablets|my tablets|his pills|her pills|my pills|"
    "them|pills",
    "took|taken|swallowed|had|necked|taking * 10|11|12|13|14|15|16|17|18|19|20|24|25|30|"
    "32|40|50|100 *2 co codamol|cocodamol|citalopram|fluoxetine|prozac|mirtazapine|"
    "venlafaxine|olanzapine|lorazepam|clonazepam|klonopin|adderall|ritalin|gabapentin|"
    "pregabalin|lyrica|oxycontin|percocet|vicodin|hydrocodone|norco|ativan|trazodone|"
    "nytol|beta blockers|amlodipine|lisinopril|iron|caffeine pills|pro plus|"
    "antipsychotics|sleepers|of them|of my",
    "been taking|kept taking|keep taking|was taking|have taken|i've taken|i took|i've had|"
    "i had|i've been having|been having *3 paracetamol|co codamol|cocodamol|"
    "codeine|painkillers|ibuprofen *4 every hour|every 2 hours|every two hours|"
    "every couple of hours|every hour or two|round the clock|more than 8|more than eight|"
    "more than the box|more than it says|over the limit|over the max|over the maximum|"
    "more than the max",
    _CHILD + "|little man * got hold of|got ahold of|got at|found|got into|opened|"
    "was playing with|playing with|chewing|chewed|sucking|sucked|eating|eaten|ate|"
    "swallowed|swallowing|drank|drinking|licked|bit|has been into|may have|might have|"
    "could have *5 " + _PILLS + "|" + _HOUSEHOLD + "|my tablets|my pills|my meds|"
    "medicine|medication|mushrooms|berries|coins|coin|dishwasher|vape|vape juice|weed|"
    "cannabis|gummies|tablets|pills|under the sink|cleaning cupboard|medicine cabinet|"
    "medicine cupboard|medicine box|pill box|pill organiser|pill organizer|dosette",
    "washing up liquid|dish soap|dishwashing liquid|fabric softener|washing powder|"
    "washing liquid|fairy liquid|toilet duck|descaler|caustic soda|lye|hydrogen peroxide|"
    "peroxide|essential oil|tea tree oil|eucalyptus oil|white spirit|turps|turpentine|"
    "slug pellets|weedkiller|rat bait|mothballs|moth balls|fertiliser|fertilizer|"
    "pool chlorine|chlorine tablets|vape juice|e juice|nicotine pouch|nicotine gum|"
    "nicotine patch|glue|bath bomb|dishwasher salt|anti freeze|screenwash|"
    "screen wash|paint thinner|paint stripper|battery acid|button batteries|"
    "lithium battery|coin battery * swallowed|drank|drunk|ate|eaten|chewed|licked|"
    "sucked|bit|in his mouth|in her mouth|in their mouth|got into",
    "swallowed|drank|drunk|ate|eaten|chewed|licked|sucked on|bit *3 "
    "washing up liquid|dish soap|fabric softener|washing powder|toilet duck|descaler|"
    "caustic soda|hydrogen peroxide|essential oil|tea tree oil|eucalyptus oil|"
    "white spirit|turps|slug pellets|weedkiller|mothballs|fertiliser|fertilizer|"
    "chlorine|vape|e juice|nicotine|glue|screenwash|paint thinner|battery|batteries",
    "put|putting|stuck|shoved|pushed * battery|batteries|magnet|magnets|coin battery|"
    "button battery|"
    "pills|tablets|bleach|detergent|pod *4 in his mouth|in her mouth|in their mouth|"
    "in his nose|in her nose|up his nose|up her nose|in his ear|in her ear",
    "oded|oding * heroin|fentanyl|pills|blue|not breathing|unconscious|passed out|"
    "won't wake",
    "took|taken|snorted|smoked|injected|dropped * something|too much|a lot of|"
    "loads of|pills|drugs|a pill|some pills|ecstasy|mdma|molly|ket|ketamine|coke|cocaine|"
    f"speed|spice|gbl|ghb ... {_CONFUSED}|won't wake|not waking|unresponsive|"
    "not responding|isn't responding|won't respond|doesn't respond|unconscious|passed out|"
    "fitting|seizure|blue|grey|barely breathing|not breathing|breathing funny|"
    "overheating|really hot|very hot|burning up|chest|heart racing",
    "took|taken|gave|given|had|swallowed * double|twice|two doses|2 doses|extra dose|"
    "wrong dose|wrong medicine|wrong tablets|someone else's *4 by mistake|by accident|"
    "mistake|mixed up",
    "by mistake|by accident|accidentally * double dose|double the dose|twice the dose|"
    "two doses|extra dose|too much|someone else's|the wrong pills|the wrong tablets|"
    "the wrong medicine|bleach|cleaner|poison|antifreeze",
    "drank|drunk|drinking|swallowed|had|downed *3 bottle of|litre of|liter of|"
    "half a bottle|whole bottle * vodka|whisky|whiskey|rum|gin|tequila|spirits ... "
    f"vomiting|unconscious|passed out|won't wake|not waking|breathing|blue|cold|choking|"
    f"fitting|pills|tablets|{_CONFUSED}",
    "roofied|rufied|date rape drug|ghb",
    "bitten|bit|stung * snake|adder|viper|rattlesnake|copperhead|cottonmouth|"
    "funnel web|redback|black widow|brown recluse|stonefish|stingray|box jellyfish|"
    "scorpion",
]
_PREGNANCY_LAY = [
    f"{_PREGNANT_ANY} ... bleeding|bled|bleed|blood clots|passing blood|losing blood|"
    "blood loss|clots|spotting|haemorrhage|hemorrhage|gushing|flooding|soaking|waters|"
    "water broke|waters broke|waters gone|waters have gone|leaking fluid|fluid leaking|"
    "leaking water|gush of fluid|gush of water|trickle of fluid|fluid running down|"
    "water running down|severe pain|bad pain|really bad pain|sharp pain|stabbing pain|"
    "constant pain|agony|excruciating|cramping badly|bad cramps|severe cramps|"
    "pain on one side|pain on my left|pain on my right|one sided pain|"
    "left sided pain|right sided pain|pain in my side|side pain|shoulder tip|fainted|"
    "fainting|passed out|collapsed|severe headache|bad headache|terrible headache|"
    "awful headache|splitting headache|worst headache|headache that won't|"
    "headache won't|pounding headache|blinding headache|blurry|blurred|vision|"
    "seeing spots|flashing lights|sparkles|seeing stars|face is swollen|swollen face|"
    "face swelling|face is puffy|puffy face|hands are swollen|swollen hands|"
    "hands and face|face and hands|feet and face|sudden swelling|swelled up suddenly|"
    "fever|high temperature|a temperature|temp of|feverish|shivery|not moving|"
    "stopped moving|hasn't moved|haven't felt|not felt|can't feel|no movement|"
    "fewer movements|less movement|reduced movement|baby is quiet|baby's quiet|"
    "baby has been quiet|baby's been quiet|quieter than usual|not kicking|"
    "stopped kicking|no kicks|no movements|fewer kicks|less kicks|kicks have slowed|fell over|"
    "brown discharge|pink discharge|blood when i wipe|"
    "fell down|fell off|fell on|had a fall|took a fall|tripped|car accident|car crash|"
    "crash|punched|was hit|got hit|hit in the stomach|kicked in the stomach|won't relax|"
    "doesn't relax|chest pain|can't breathe|struggling to breathe|coughing blood|"
    "can't keep anything down|can't keep water down|vomiting blood|seizure|"
    "pain under my ribs|pain under the ribs|pain under my right ribs",
    "bleeding|bled|clots|spotting|waters|heavy bleeding|gush of water|gush of fluid|"
    "leaking fluid|trickle of fluid|fluid running down|water running down|"
    "water down my legs|fluid down my legs *6 weeks pregnant|"
    "months pregnant|weeks along|months along|pregnancy|pregnant|trimester|"
    + "|".join(f"at {n} weeks" for n in range(4, 43)),
    "haven't felt|not felt|can't feel|cannot feel|hardly felt|barely felt|"
    "haven't noticed|not many|hardly any|barely any|very few|not as many *3 "
    "baby|bump|kicks|kick|kicking|movement|movements *2 kick|kicks|"
    "kicking|move|moving|movements|movement|moves|today|all day|since",
    "baby|babys|bump * quiet|quieter|not moving|hasn't moved|not as active|less active|"
    "moving less|stopped moving|not kicking|stopped kicking|hardly moving|barely moving|"
    "not moved *6 today|all day|since|morning|hours|yesterday|"
    + "|".join(f"{n} weeks" for n in range(24, 43)),
    "kicks|kicking|baby's movements|babys movements|baby movements|fetal movements|"
    "foetal movements * stopped|slowed|slowed down|reduced|less|fewer|changed|different|"
    "not as strong|weaker|quiet",
    "bump|womb|uterus * hard|rock hard|tight|rigid|tense * won't relax|doesn't relax|"
    "not relaxing|won't soften|doesn't soften|constant|all the time|agony",
    "my bump|baby bump|the bump * hurts|painful|agony|rigid|won't relax|bleeding|"
    "punched|fell on",
    "fell|landed|tripped|slipped|fallen * on my bump|onto my bump|on the bump",
    "punched|kicked|hit|elbowed|knocked * in the bump|my bump|her bump",
    f"{_POSTPARTUM} ... bleeding|bled|clots|soaking|soaked|gushing|flooding|haemorrhage|"
    "hemorrhage|fever|high temperature|a temperature|shivery|shivering|smelly|smells|"
    "foul|severe headache|bad headache|worst headache|terrible headache|blurry|vision|"
    "chest pain|breathless|short of breath|can't breathe|calf|leg is swollen|"
    "leg swollen|hurt the baby|harm the baby|hurt my baby|harm my baby|hearing voices|"
    "seeing things|don't want to be here|thoughts of hurting|thoughts of harming|"
    f"oozing|pus|red and hot|{_CONFUSED}|fainted|passed out",
    "pregnant|pregnancy|weeks * soaking|soaked|pad an hour|pad every hour|clots|"
    "golf ball|flooding|gushing",
    "positive pregnancy test|pregnancy test|missed period|period is late|late period|"
    "might be pregnant|could be pregnant|think i'm pregnant ... sharp pain|"
    "severe pain|bad pain|stabbing|pain on one side|pain on my left|pain on my right|"
    "one sided pain|shoulder tip|fainted|collapsed|bleeding|agony",
    "shoulder tip pain",
    "waters * broke|broken|gone|went|leaking|trickling|gushed|popped|breaking|green|"
    "brown|smelly",
    "my water|her water * broke|broken|breaking|popped|gushed|leaking|have gone|has gone",
    f"{_PRETERM} ... contractions|tightenings|regular cramps|period like cramps|"
    "period pains|backache that comes and goes",
    "contractions|tightenings * every|regular|minutes apart|won't stop|getting closer "
    "... " + _PRETERM,
    "cord * coming out|hanging out|out of my vagina|prolapse|prolapsed",
    "baby|babys * coming *3 now|fast|right now|can't stop|won't wait",
    "can see the head|head is out|head is coming out",
    "hyperemesis|can't keep anything down|can't keep water down|can't keep fluids down|"
    "vomiting everything|throwing up everything ... pregnant|weeks|pregnancy",
]
_INFANT_LAY = [
    f"{_YOUNG} ... {_FEVER}|{_FEVER_NUMBER}|feels hot|feel hot|very hot|really hot|"
    "so hot|felt hot|is hot to|hot to touch",
    f"{_INFANT_ANY} ... {_INFANT_SIGNS}",
    "soft spot|fontanelle|fontanel|fontanelles * bulging|bulges|bulge|swollen|raised|"
    "puffy|tense|tight|sticking up|pushing out|sunken|dipped|sunk|sinking|sucked in|"
    "dented|caved in",
    "only had one|only had 1|only one|only 1|just one|just 1|only two|only 2|hardly any|"
    "barely any|not many|fewer than usual *3 wet diaper|wet diapers|wees|pees|wet ones",
    "dry diaper|dry diapers|no wet ones|nappy has been dry|diaper has been dry|"
    "nappy is dry|diaper is dry",
    "stops breathing|stopped breathing|stopping breathing|pauses in breathing|"
    "pauses in his breathing|pauses in her breathing|pauses when breathing|"
    "holds his breath|holds her breath|forgets to breathe * baby|newborn|infant|"
    "goes blue|turns blue|blue|floppy",
    "ribs|chest|neck|throat|collarbone|between his ribs|under his ribs|under her ribs|"
    "skin between * sucking in|sucks in|sucked in|pulling in|pulls in|caving in|"
    "caves in|going in|sinking in|dipping in",
    "tummy|stomach|belly * sucking in|sucks in|pulling in|caving in *3 breath|breathing|"
    "breathe|each breath|every breath",
    "grunting|grunts|grunt * breath|breathing|breathe|every breath|when breathing",
    "baby|newborn|infant|little one|week old|weeks old|month old * won't feed|"
    "not feeding|hasn't fed|refusing all feeds|refusing feeds|refusing to feed|"
    "won't take any milk|hasn't taken anything|barely taken|barely feeding|"
    "barely drinking|taken hardly anything|not interested in feeds|"
    "not interested in feeding|too sleepy to feed|won't wake for feeds|"
    "won't wake to feed|half her usual|half his usual",
    "baby|newborn|infant * cry|crying * high pitched|high-pitched|weak|moaning|"
    "whimpering|like a cat|shrill",
    "baby|newborn|infant|little one * very|really|so|super *2 pale|floppy|sleepy|drowsy|"
    "lethargic",
    "baby|newborn|infant * rash * purple|doesn't fade|don't fade|won't fade|glass|"
    "pinprick",
    "shaken baby|shook the baby|shook my baby|shaking the baby|shook him hard|"
    "shook her hard",
    "baby|newborn|infant|toddler * fell|dropped|rolled off|fallen|slipped ... "
    "vomiting|vomited|threw up|throwing up|been sick|drowsy|very sleepy|really sleepy|"
    "floppy|not feeding|unconscious|not responding|seizure|fitting|high pitched",
    "brought|came|arrived * home from hospital|home from the hospital|home from the "
    f"birth centre|home from the birth center ... {_INFANT_SIGNS}|{_FEVER}|feels hot|"
    "very hot|really hot",
    "born * days ago|week ago|weeks ago|yesterday ... "
    f"{_INFANT_SIGNS}|{_FEVER}|feels hot|very hot|really hot",
    "dropped the baby on|dropped my baby on|dropped him on his head|"
    "dropped her on her head|accidentally dropped the baby|accidentally dropped my baby",
]

# Same-day care said in one phrase; the combinations are URGENT_RULES (triage_policy.py).
_URGENT = [
    "do i need stitches", "does it need stitches", "sudden hearing loss", "diabetic foot ulcer",
    "tooth abscess|dental abscess|gum abscess * face|cheek|jaw * swell|swelling|swollen|puffy",
]

DEFAULT_POLICY: dict = {
    "default_message": DEFAULT_MESSAGE,
    "triage_findings": TRIAGE_FINDINGS,  # names the categories' "triage" rules combine
    "categories": {
        "self_harm": {
            "action": "defer",
            "priority": 110,
            "message": SELF_HARM_MESSAGE,
            "phrases": _SELF_HARM + _SELF_HARM_PATTERNS + _SELF_HARM_LAY,
        },
        "emergency": {
            "action": "defer",
            "priority": 100,
            "message": EMERGENCY_MESSAGE,
            "phrases": _HEART + _STROKE + _BRAIN_INFECTION + _BREATHING + _BLEEDING
            + _ALLERGY + _CONSCIOUSNESS + _SEIZURE + _OTHER_EMERGENCY + _EMERGENCY_PATTERNS
            + _CARDIAC_LAY + _STROKE_LAY + _BREATHING_LAY + _ALLERGY_LAY + _BLEEDING_LAY
            + _CONSCIOUS_LAY + _SEIZURE_LAY + _MENINGITIS_SEPSIS_LAY + _HEAD_LAY
            + _ABDOMEN_LAY + _DIABETIC_LAY + _OTHER_LAY + _ANAPHYLAXIS_PEN,
            "triage": TRIAGE_RULES["emergency"],
        },
        "poisoning_overdose": {
            "action": "defer",
            "priority": 90,
            "message": POISONING_MESSAGE,
            "phrases": _POISONING + _POISONING_PATTERNS + _POISONING_LAY,
        },
        "infant_red_flags": {
            "action": "defer",
            "priority": 85,
            "message": INFANT_MESSAGE,
            "phrases": _INFANT + _INFANT_PATTERNS + _INFANT_LAY,
            "triage": TRIAGE_RULES["infant_red_flags"],
        },
        "pregnancy_red_flags": {
            "action": "defer",
            "priority": 80,
            "message": PREGNANCY_MESSAGE,
            "phrases": _PREGNANCY + _PREGNANCY_PATTERNS + _PREGNANCY_LAY,
            "triage": TRIAGE_RULES["pregnancy_red_flags"],
        },
        "urgent_care": {
            "action": "defer",
            "priority": 60,
            "message": URGENT_MESSAGE,
            "phrases": _URGENT,
            "triage": TRIAGE_RULES["urgent_care"],
        },
        "medication_dosage": {
            "action": "monitor",
            "priority": 20,
            "message": DOSAGE_MESSAGE,
            "phrases": _DOSAGE,
        },
    },
}
