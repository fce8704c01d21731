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

DEFAULT_POLICY: dict = {
    "default_message": DEFAULT_MESSAGE,
    "categories": {
        "self_harm": {
            "action": "defer",
            "priority": 110,
            "message": SELF_HARM_MESSAGE,
            "phrases": _SELF_HARM,
        },
        "emergency": {
            "action": "defer",
            "priority": 100,
            "message": EMERGENCY_MESSAGE,
            "phrases": _HEART + _STROKE + _BRAIN_INFECTION + _BREATHING + _BLEEDING
            + _ALLERGY + _CONSCIOUSNESS + _SEIZURE + _OTHER_EMERGENCY,
        },
        "poisoning_overdose": {
            "action": "defer",
            "priority": 90,
            "message": POISONING_MESSAGE,
            "phrases": _POISONING,
        },
        "infant_red_flags": {
            "action": "defer",
            "priority": 85,
            "message": INFANT_MESSAGE,
            "phrases": _INFANT,
        },
        "pregnancy_red_flags": {
            "action": "defer",
            "priority": 80,
            "message": PREGNANCY_MESSAGE,
            "phrases": _PREGNANCY,
        },
        "medication_dosage": {
            "action": "monitor",
            "priority": 20,
            "message": DOSAGE_MESSAGE,
            "phrases": _DOSAGE,
        },
    },
}
