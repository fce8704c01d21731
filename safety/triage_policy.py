"""Finding vocabulary and triage rules of the built-in policy (plain data, like
safety/default_policy.py, which attaches each category's rules to that category).

A finding is a name, a kind (safety/findings.py: symptom, severity, onset, course, who,
risk, reassure) and phrases in the policy's phrase language. Rules (safety/triage.py)
combine findings: "all", "any" with "n", "unless", "weights" with "threshold". They are
written for emergencies told as several ordinary facts, none a red flag alone; the
phrase lists in default_policy.py still catch the single red-flag phrases.
"""
from __future__ import annotations

_N = "|".join
_FEVER_NUMBERS = _N([f"{a} {b}" for a in (38, 39, 40) for b in range(10)]
                    + ["38c", "39c", "40c", "38 degrees", "39 degrees", "40 degrees",
                       "100 4", "100 5", "100 6", "101", "102", "103", "104"])
# "temp 384": a reading typed without its point, read as one only after a temperature word
_FEVER_UNDOTTED = _N(str(n) for n in range(380, 420))
_YOUNG_AGES = _N([f"{n} weeks old|{n} week old|{n} wks old|{n} wk old|"
                   f"baby is {n} weeks|baby is {n} wks"
                  for n in range(0, 13)] + [f"{n} days old|{n} day old|baby is {n} days"
                                            for n in range(0, 31)]
                 + ["1 month old|2 month old|one month old|two month old|1 month|2 months old|"
                    "newborn|new born|new baby|few weeks old|couple of weeks old"])


def _f(kind: str, *phrases: str) -> dict:
    return {"kind": kind, "phrases": list(phrases)}


TRIAGE_FINDINGS: dict[str, dict] = {
    # -- who -----------------------------------------------------------------------------
    "infant_young": _f("who", _YOUNG_AGES),
    "older_adult": _f("who", "elderly|pensioner|my nan|nana|my gran|granny|grandma|grandad|grandpa|"
                      "grandfather|grandmother|in his 80s|in her 80s|in his 90s|in her 90s",
                      _N(f"{n} year old|{n} years old|{n} yo|aged {n}|im {n}|he's {n}|she's {n}"
                         for n in range(75, 100))),
    "pregnant": _f("who", "pregnant|pregnancy|weeks along|expecting|my bump|trimester|"
                   "missed my period|missed period|period is late|period is 2 weeks late|late period|"
                   "positive test|positive pregnancy test|ivf transfer"),
    "postpartum": _f("risk", "had my baby|had the baby|gave birth|given birth|delivered|"
                     "c section|c-section|caesarean|cesarean|postpartum|since the birth|after the birth|"
                     "had a baby"),
    # -- risk context --------------------------------------------------------------------
    "diabetes": _f("risk", "diabetic|diabetes|type 1|type one|t1d|t1|insulin"),
    "high_sugar": _f("symptom", "sugar * high|hi|over 20|over 25|off the chart|27|28|30|32|33",
                     "sugars * high|hi|over 20", "high blood sugar|high sugars|bm is high|ketones|ketone"),
    "blood_thinner": _f("risk", "warfarin|apixaban|rivaroxaban|edoxaban|dabigatran|blood thinner|"
                        "blood thinners|anticoagulant|anticoagulants|clopidogrel|eliquis|xarelto|coumadin"),
    "clot_risk": _f("risk", "long flight|long haul|long-haul|flew back|flew home|flight back|flight home|"
                    "13 hour flight|12 hour flight|10 hour flight|long drive|long coach|"
                    "surgery|operation|my op|the op|knee replacement|knee replaced|hip replaced|"
                    "hip replacement|c section|caesarean|"
                    "bed rest|bedridden|in bed for|laid up|immobile|leg in a cast|leg in plaster|"
                    "contraceptive pill|the pill|hrt|had a clot before|previous clot"),
    "cast": _f("risk", "cast|plaster|plaster cast|splint|back slab|backslab|fibreglass|pot on"),
    "crush_injury": _f("risk", "crushed|crush|trapped under|run over|fracture|broken|broke my|"
                       "fractured|kicked by a horse"),
    "head_injury": _f("risk", "hit my head|banged my head|bumped my head|knocked my head|"
                      "hit his head|hit her head|head injury|fell and hit|knock to the head|"
                      "bang on the head|whacked my head|smacked my head", "fell * head"),
    # no bare "bite"/"bitten": their word family has "bit", and "a bit red" is no wound
    "wound": _f("risk", "cut|scratch|graze|grazed|scratched|bitten by|wound|bite mark|bite marks|bite on|"
                "blister|splinter|insect bite|spider bite|tick bite|mosquito bite|horsefly bite|bug bite|"
                "flea bite|cat bite|dog bite|sting|stung|scrape|stitches|ingrown|tattoo|piercing|puncture"),
    "infection": _f("risk", "uti|water infection|urine infection|chest infection|pneumonia|"
                    "kidney infection|infected|infection|cellulitis|abscess|flu|covid|bug|"
                    "gastro|tummy bug|antibiotics"),
    "household": _f("risk", "whole family|all of us|everyone in the house|everyone at home|"
                    "both of us|my husband and i|my wife and i|me and my partner|the kids too|"
                    "my husband too|my wife too|my partner too|my son too|my daughter too|him too|her too|"
                    "we all|we've all|all of the family|both have|both got|both feel|they both|we both|the whole house|the dog too|my flatmate too"),
    "better_away": _f("risk", "better when we're out|better when we go out|better when i'm out|"
                      "better outside|better out of the house|better when we leave|"
                      "goes away when we leave|goes away when i leave|better at work|better at school|"
                      "better away from home|better away from the house|only at home|worse at home|"
                      "worse in the house|worse when we're home|better when we're away|"
                      "better when i go out|clears up outside|fine when we're out|fine outside|ok outside|"
                      "better when they come|better when we come|better at ours|fine at work|"
                      "fine at school|goes when we go out"),
    "fuel_appliance": _f("risk", "boiler|gas fire|gas heater|paraffin heater|generator|wood burner|"
                         "log burner|stove|fireplace|gas cooker|flue|chimney|bbq indoors|charcoal"),
    "co_alarm": _f("risk", "carbon monoxide|co alarm|co detector|carbon monoxide alarm"),
    "gas_smell": _f("risk", "smell of gas|smell gas|smells of gas|smells like gas|gas smell|smelling gas|"
                    "gas leak|leaking gas|rotten eggs smell|smells like rotten eggs|smell of rotten eggs|"
                    "fumes|exhaust fumes"),
    "trigger_benign": _f("reassure", "blood test|having blood taken|blood taken|needle|injection|jab|"
                         "vaccine|stood up too fast|stood up too quickly|standing up quickly|standing up too fast|"
                         "getting up too fast|sauna|dentist|giving blood|gave blood|"
                         "hot shower|hot bath|in the heat|skipped breakfast|hadn't eaten|hungover|"
                         "hangover"),
    "exertion": _f("reassure", "run|running|jog|jogging|gym|football|training|workout|exercise|"
                   "leg day|hike|hiking|marathon|squats|netball|rugby|cycling|dancing|5k|10k"),
    "iron_bismuth": _f("reassure", "iron tablets|iron tablet|iron supplement|ferrous|pepto|bismuth|"
                       "liquorice|blueberries|beetroot|black pudding"),
    "alarm_upkeep": _f("reassure", "battery|batteries|beeping|chirping|test my|test the|testing|"
                       "replace|install|fit one|buy|where should|how often|expiry|expired"),
    "light_bleeding": _f("reassure", "light bleeding|light brown|brown bleeding|a little bleeding|"
                         "bit of bleeding|some light|light spotting|spotting"),
    "chest_discomfort": _f("symptom", "pressure|heavy|heaviness|tight|tightness|squeezing|crushing|"
                           "weight *6 chest|breastbone", "chest * pressure|heavy|tight|squeezed",
                           "elephant|sitting on|band|vice|vise|clamp|belt|ton of bricks|weighed down|"
                           "crushed|squashed *6 chest",
                           "chest * elephant|sitting on it|sitting on me|band around|vice|vise|clamp|"
                           "crushed|squashed|ton of bricks|weighed down"),
    "sweaty": _f("symptom", "sweaty|sweating|clammy|cold sweat|drenched in sweat|pouring with sweat"),
    "arm_jaw": _f("symptom", "left arm|my arm|down my arm|jaw|neck and arm|both arms"),
    "found_down": _f("risk", "on the floor|found him|found her|found my|collapsed|slumped|lying there|"
                     "in the bath|on the ground"),
    "unresponsive": _f("symptom", "won't answer|not answering|won't respond|not responding|"
                       "unresponsive|won't wake|can't wake|not waking|doesn't respond|no response|"
                       "won't open his eyes|won't open her eyes"),
    "resolved": _f("reassure", "fine since|fine now|feel fine now|feels fine now|back to normal|"
                   "went away|gone away|settled down|settled now|resolved|stopped now|better now|"
                   "all good now|recovered|passed after|fine after|much better|fine once|ok after|okay after|"
                   "fine after sitting|came round straight away"),
    "well_child": _f("reassure", "feeding normally|feeding fine|feeding well|feeding ok|"
                     "feeding as usual|eating normally|eating fine|playing normally|playing happily|"
                     "running around|still playing|drinking fine|drinking well|usual self|"
                     "normal self|acting normal|acting normally|happy and playing|smiling|"
                     "plenty of wet nappies|lots of wet nappies|alert|babbling"),
    # -- onset, severity, course ----------------------------------------------------------
    "sudden": _f("onset", "sudden|suddenly|came on suddenly|all of a sudden|out of nowhere|"
                 "out of the blue|instantly|in seconds|came on fast|started suddenly|woke me up"),
    "severe": _f("severity", "severe|unbearable|agony|agonising|agonizing|excruciating|worst pain|"
                 "10 out of 10|10/10|screaming|can't stand|crippling|doubled over|writhing"),
    "pain_out_of_proportion": _f("severity", "worse than it looks|way worse than it looks|"
                                 "more than it should|far more than|off the scale|unreal pain|"
                                 "pain is unreal|"
                                 "out of proportion|more pain than|pain is insane|much worse than it should"),
    "worsening": _f("course", "getting worse|keeps getting worse|worse and worse|worsening|"
                    "getting bigger|spreading|spread|growing|worse by the hour|worse every hour",
                    "pain * worse|worsening|increasing|building|going up"),
    # -- symptoms and signs ---------------------------------------------------------------
    "fever": _f("symptom", "fever|feverish|febrile|high temperature|high temp|raised temperature|"
                "burning up|roasting hot|feels hot|shivery|shivering|shaking chills|rigors|chills|"
                "teeth chattering|hot and cold|boiling then freezing|hot then cold|freezing then boiling|"
                "hot one minute", _FEVER_NUMBERS,
                "temperature|temp|thermometer * " + _FEVER_NUMBERS + "|38|39|40|41|" + _FEVER_UNDOTTED),
    "skin_spreading": _f("symptom", "red|redness|hot|swollen|swelling|inflamed|angry * spreading|spread|"
                         "getting bigger|doubled in size|doubled|grown|getting larger|up my leg|up my arm|up to my|"
                         "up to the|up to his|up to her|up towards|towards my|to my knee|to my elbow|"
                         "to my ankle|to my wrist|to my armpit|to my groin|whole leg|whole arm|whole lower leg|"
                         "whole foot|whole hand|past the line|beyond the line|bigger",
                         "red streak|red streaks|red line|red lines|streaks up",
                         "whole * leg|arm|foot|hand|calf|shin|ear|face|side * red|hot|swollen",
                         "spreading redness|spreading red|redness spreading"),
    "back_pain": _f("symptom", "back pain|bad back|back hurts|backache|back ache|lower back|"
                    "sciatica|back went|slipped disc|disc|my back|put my back out|back is killing"),
    "skin_dark": _f("symptom", "going dark|going black|going purple|turning black|turning dark|"
                    "turning purple|gone black|blistering|skin is dying"),
    "saddle_numbness": _f("symptom", "numb when i sit on the toilet|numb on the toilet|"
                          "can't feel the toilet seat", "numb|numbness|no feeling|can't feel|tingly|tingling|dead * "
                          "between my legs|down below|my bum|buttocks|private parts|privates|groin|"
                          "inner thighs|genitals|saddle|back passage",
                          "between my legs|down below|my bum|groin|privates|inner thighs * numb|"
                          "numbness|no feeling|tingly|dead",
                          "saddle numbness", "can't feel * wipe|toilet paper"),
    "bladder_change": _f("symptom", "can't tell when i need to pee|can't feel when i need to pee|"
                         "can't tell when i need to wee|can't feel when i need to wee|"
                         "can't feel myself peeing|can't pee|can't wee|can't pass urine|"
                         "wet myself|peed myself|weed myself|wet the bed|lost control of my bladder|"
                         "haven't peed|not peed|haven't been able to pee|leaking urine|"
                         "can't empty my bladder|bladder won't empty|can't control my bladder|"
                         "no urge to pee|trouble peeing|struggling to pee|struggling to start peeing|"
                         "can't start peeing|hard to start peeing|can't get my pee started"),
    "bowel_control": _f("symptom", "lost control of my bowels|soiled myself|pooed myself|"
                        "can't control my bowels|can't feel myself poo"),
    "legs_weak": _f("symptom", "legs * weak|giving way|gave way|buckling|won't hold me|numb|dead",
                    "can't lift my feet|foot drop|dragging my foot|can't stand up"),
    "no_poo": _f("symptom", "haven't pooed|not pooed|haven't had a poo|haven't been to the toilet|"
                 "haven't opened my bowels|hasn't opened|hasn't pooed|hasn't had a poo|hasn't been for a poo|"
                 "haven't done a poo|no poo|can't poo|not had a poo|"
                 "constipated|no bowel movement|haven't had a bowel movement|not been for a poo"),
    "no_wind": _f("symptom", "haven't passed wind|not passed wind|not passing wind|no wind|"
                  "can't pass wind|can't fart|haven't farted|not farted|no gas|can't pass gas|"
                  "haven't passed gas|hasn't passed wind|hasn't farted|or passed wind|or passing wind|or farted|nothing coming out either end|nothing either end"),
    "abdomen_swollen": _f("symptom", "tummy|stomach|belly|abdomen|gut * swollen|bloated|distended|"
                          "like a drum|rock hard|hard as a rock|swelling up|blown up|huge",
                          "swollen|bloated|distended * tummy|stomach|belly|abdomen"),
    "abdominal_pain": _f("symptom", "tummy pain|stomach pain|belly pain|abdominal pain|tummy hurts|"
                         "stomach hurts|belly hurts|stomach ache|tummy ache|cramps|cramping|"
                         "pain in my tummy|pain in my stomach|pain in my belly|colicky pain"),
    "vomiting": _f("symptom", "being sick|been sick|keep being sick|vomiting|throwing up|threw up|"
                   "vomited|puking|puked|vomit|sick everywhere|can't keep anything down|sick twice|"
                   "sick again|sick three times|sick 3 times|sick four times|sick all night|bringing up|"
                   "brought up|brown sick"),
    "green_vomit": _f("symptom", "green vomit|vomiting green|sick is green|bile|green sick|brown sick|"
                      "brown vomit|vomit smells like poo"),
    "nausea": _f("symptom", "feel sick|feeling sick|felt sick|nauseous|nausea|queasy|sicky"),
    "headache": _f("symptom", "headache|headaches|head ache|head is pounding|migraine|head hurts|"
                   "head pain|pounding head|head is killing"),
    "dizzy": _f("symptom", "dizzy|dizziness|light headed|lightheaded|woozy|spinning"),
    "faint": _f("symptom", "feel faint|feeling faint|felt faint|fainted|fainting|passed out|"
                "going to pass out|blacked out|collapsed|nearly passed out|about to faint"),
    "heavy_bleeding": _f("symptom", "soaking a pad|soaking pads|soaked a pad|pad every hour|"
                         "pads an hour|soaked through|bleeding heavily|heavy bleeding|bleeding a lot|"
                         "gushing|pouring out|soaking through|through a pad|towel soaked|"
                         "bleeding is getting heavier|bleeding more and more"),
    "clots": _f("symptom", "clots|clot the size|large clots|big clots|golf ball|lemon sized|plum sized"),
    "bleeding": _f("symptom", "bleeding|bleed|spotting|blood when i wipe|brown discharge|"
                   "blood loss"),
    "numb_tingle": _f("symptom", "numb|numbness|going numb|tingling|tingly|pins and needles|"
                      "can't feel my fingers|can't feel my toes|fingers are dead|toes are dead"),
    "pain": _f("symptom", "pain|painful|hurts|hurting|ache|aching|sore|agony|throbbing|killing me"),
    "limb_cold_pale": _f("symptom", "fingers|toes|hand|foot * white|pale|blue|cold|purple",
                         "cold and pale|gone white|gone blue"),
    "tight_swelling": _f("symptom", "tight and shiny|skin is tight|very tight|too tight|shiny|"
                         "swelling * worse|massive|huge|rock hard"),
    "breathless": _f("symptom", "short of breath|out of breath|breathless|shortness of breath|"
                     "can't catch my breath|puffed out|winded|struggling to breathe|"
                     "breathing fast|breathing really fast|fast breathing|breathing hard|panting|"
                     "sob|short of breathe"),
    "deep_breathing": _f("symptom", "deep breaths|breathing deeply|breathing deep|sighing breaths|"
                         "gasping|big breaths", "breathing * deep|deeply|weird|strange|odd|funny|heavily"),
    "fruity_breath": _f("symptom", "pear drops|fruity breath|nail polish|nail varnish|acetone|"
                        "breath smells sweet"),
    "pleuritic_pain": _f("symptom", "pain when i breathe|hurts to breathe|hurts when i breathe|"
                         "hurts when breathing|sharp pain when breathing|pain breathing in|"
                         "stabbing pain when i breathe|hurts to take a deep breath|"
                         "hurts to take a breath|pain on breathing"),
    "fast_heart": _f("symptom", "heart racing|racing heart|heart is racing|heart pounding|"
                     "pulse is fast|fast pulse|heart rate 120|heart rate 130|heart rate 140|"
                     "palpitations|heart is going so fast|heart won't slow down"),
    "calf_swollen": _f("symptom", "calf|calves|leg|ankle * swollen|swelling|puffy|bigger|fatter|"
                       "red and hot|hot and red|hard",
                       "swollen|swelling * calf|leg|ankle", "one leg is bigger|one calf is bigger",
                       "one leg bigger|one calf bigger"),
    "calf_pain": _f("symptom", "calf * pain|sore|ache|hurts|tight|tender|cramp|aching"),
    "drowsy_confused": _f("symptom", "drowsy|is confused|seems confused|very confused|so confused|"
                          "confused and|and confused|gone confused|getting confused|confused today|confused now|"
                          "now confused|really confused and|confusion|confusd|not making sense|out of it|very sleepy|"
                          "hard to wake|can't keep my eyes open|can't keep his eyes open|"
                          "can't keep her eyes open|groggy|disorientated|disoriented|muddled|"
                          "not himself|not herself|away with the fairies|talking nonsense|vacant|"
                          "acting confused|more confused|suddenly confused|confused all of a sudden",
                          "mum|mum's|mom|mom's|dad|dad's|nan|nan's|gran|gran's|granny|"
                          "grandma|grandad|grandpa|husband|wife|partner|son|daughter *2 confused|"
                          "confusd|confussed"),
    "sepsis_sign": _f("symptom", "mottled|blotchy skin|skin is blotchy|clammy|cold hands and feet|"
                      "hands and feet are cold|haven't peed all day|not peed all day|no wee all day|"
                      "not passed urine|worst i've ever felt|feel like i'm going to die|"
                      "shaking uncontrollably|can't stop shaking|something is really wrong|"
                      "grey|gray|ashen"),
    "stiff_neck": _f("symptom", "stiff neck|neck is stiff|neck is really stiff|neck hurts to bend|"
                     "can't bend my neck|can't bend his neck|can't bend her neck|"
                     "can't touch my chin to my chest|neck is rigid"),
    "light_sensitivity": _f("symptom", "light hurts|hurts to look at light|can't stand light|"
                            "can't stand the light|photophobia|sensitive to light|light is hurting|"
                            "light sensitive|lights hurt|light makes it worse|light bothers|"
                            "bothered by light|bothered by the light|bright light hurts|bright lights hurt|"
                            "sunlight hurts|daylight hurts|hurts in the light|hurts in bright light|"
                            "can't open it in the light|can't look at the light|can't look at screens|"
                            "squinting at the light|have to keep it closed|keep my eyes closed",
                            "light|lights|sunlight|daylight|brightness * hurts|bothers|painful|unbearable|"
                            "too much"),
    "non_blanching": _f("symptom", "doesn't fade|won't fade|don't fade|didn't fade|glass test|"
                        "purple spots|purple rash|pinprick|non blanching|doesn't go away when pressed"),
    "black_stool": _f("symptom", "black poo|black poos|black stool|black stools|black tarry|tarry|"
                      "poo is black|poos are black|stools are black|looks like tar|like tar|"
                      "coffee grounds|blood in my poo|bloody poo|maroon|passing blood|"
                      "bleeding from my bum|blood from my bum|poo is red"),
    "tearing_pain": _f("symptom", "tearing|ripping|ripped|torn * pain|chest|back|shoulder blades",
                       "pain * tearing|ripping", "like something tore|like something ripped|something tore|"
                       "something ripped|something has torn|something's torn"),
    "one_sided_pain": _f("symptom", "one side|one sided|lower left|lower right|left side|right side|"
                         "left hand side|right hand side|side of my tummy|side of my belly|"
                         "pelvic pain|pelvis|low down on the"),
    "shoulder_tip": _f("symptom", "shoulder tip|tip of my shoulder|shoulder pain|pain in my shoulder"),
    "testicle": _f("symptom", "testicle|testicles|testis|scrotum|my balls|his balls|ball|nuts|"
                   "nut sack|one of my balls|one ball"),
    "swelling": _f("symptom", "swollen|swelling|swelled|puffed up|puffy"),
    "visual": _f("symptom", "blurry vision|blurred vision|flashing lights|seeing spots|"
                 "spots in my vision|vision is blurry|seeing stars|sparkles in my vision|"
                 "vision is funny|can't see properly|blurry", "vision * blurry|blurred|funny|weird"),
    "face_swelling": _f("symptom", "swollen face|face is swollen|face has swollen|puffy face|"
                        "face is puffy|hands swollen|hands are swollen|swollen hands|fingers swollen|"
                        "fingers are swollen|rings don't fit|ring won't come off|swelling in my face|"
                        "face and hands", "face * swollen|puffy|swelled up"),
    # FAST signs told one at a time: "can't find her words", "his right hand is weak"
    "speech_trouble": _f("symptom", "can't find her words|can't find his words|can't find my words|"
                         "can't find the words|can't find the right words|can't get her words out|"
                         "can't get his words out|can't get my words out|words won't come out|"
                         "words are coming out wrong|words coming out wrong|wrong words|"
                         "mixing up words|mixing up her words|mixing up his words|words are jumbled|"
                         "words are muddled|slurring|slurred|slurry|garbled|talking gibberish|"
                         "talking nonsense|not making sense|can't speak properly|can't talk properly|"
                         "can't speak|can't talk|speech is off|speech is funny|speech is weird|"
                         "trouble speaking|struggling to speak|struggling to talk|hard to understand"),
    "one_side_weak": _f("symptom", "right|left|one * arm|hand|leg|foot|side|fingers *3 weak|weakness|numb|"
                        "heavy|floppy|limp|dead|clumsy|useless|gave way|won't work|not working|"
                        "can't lift|can't move|can't grip|dropping things",
                        "can't lift her arm|can't lift his arm|can't lift my arm|can't raise her arm|"
                        "can't raise his arm|can't raise my arm|arm drifts|arm keeps dropping|"
                        "dropping things|can't hold a cup|can't grip"),
    "face_droop": _f("symptom", "face|mouth|smile|lip|eyelid * droop|drooping|droopy|dropped|lopsided|"
                     "wonky|crooked|sagging|slanted|uneven|twisted|numb",
                     "lopsided|wonky|crooked|droopy|drooping|uneven|slanted|dropped *3 face|smile|mouth"),
    "upper_abdo_pain": _f("symptom", "pain under my ribs|under my ribs|upper tummy|upper stomach|"
                          "top of my tummy|top of my stomach|below my ribs|right side under ribs"),
    # -- same-day care (URGENT_RULES): not an ambulance, but not something to answer either --
    "skin_inflamed": _f("symptom", "red warm|warm red|red and warm|red hot|hot red|red and hot|"
                        "hot and red|warm and red|red and swollen|swollen and red|hot and swollen|"
                        "warm and swollen|swollen and hot|hot to touch|hot to the touch|warm to touch|"
                        "warm to the touch|red tender|tender and red|red and tender|red painful|"
                        "red and painful|inflamed|angry red|red streak|red line|red streaks"),
    "skin_area": _f("risk", "patch|area|size of|bigger than|lump|streak|streaks|line up|hot spot|"
                    "doubled|grown|getting bigger|bigger since|larger since"),
    "pus": _f("symptom", "pus|oozing|weeping|yellow discharge|green discharge|yellow gunk|"
              "green gunk|smells bad|smells off|smelly|foul smell|horrible smell|infected",
              "yellow|green|cloudy * fluid|stuff|liquid coming out"),
    "earache": _f("symptom", "earache|ear ache|ear pain|ear hurts|ears hurt|sore ear|painful ear|"
                  "pulling at his ear|pulling at her ear|pulling his ear|pulling her ear|"
                  "tugging at his ear|tugging at her ear|rubbing his ear|rubbing her ear|ear infection|"
                  "discharge from his ear|discharge from her ear|discharge from my ear|ear is leaking|"
                  "fluid from his ear|fluid from her ear|fluid from my ear",
                  "ear|ears * fluid|pus|discharge|gunk|leaking|oozing|weeping|blood",
                  "fluid|pus|discharge|gunk|blood|leaking|oozing *4 ear|ears"),
    "eye_pain": _f("symptom", "eye pain|painful eye|eye is painful|eye is sore|sore eye|eye hurts|"
                   "eyes hurt|eye is killing|pain in my eye|pain in his eye|pain in her eye|"
                   "pain behind my eye|eye aches|eye is aching|eye is throbbing",
                   "eye|eyes|eyeball * painful|pain|hurts|hurting|aching|throbbing|sore"),
    "contact_lens": _f("risk", "contact lens|contact lenses|contacts in|my contacts|lenses in"),
    "eye_injury": _f("risk", "in my eye|in his eye|in her eye|poked my eye|poked in the eye|"
                     "scratched my eye|scratch on my eye|something in my eye|metal in my eye|"
                     "bleach in my eye|chemical in my eye|splashed in my eye"),
    "throat_stuck": _f("symptom", "stuck in my throat|stuck in his throat|stuck in her throat|"
                       "stuck in my gullet|stuck in my chest|feels stuck|feel it stuck|still stuck|"
                       "lodged in my throat|lodged|caught in my throat|scratching my throat",
                       "fish bone|fishbone|chicken bone|bone|food|meat|steak|pill|tablet|coin * stuck|"
                       "lodged|caught"),
    "dislodged": _f("reassure", "came out|coughed it up|coughed it out|it went down|went down in the end|"
                    "swallowed it down|pulled it out|got it out|it's gone now|dislodged"),
    "no_weight": _f("symptom", "can't put weight on|can't put any weight on|can't weight bear|"
                    "can't bear weight|can't walk on it|can't stand on it|can't put my foot down|"
                    "can't put it down|unable to walk on|can't take any weight|can't walk on my|"
                    "can't stand on my|limping badly|can't use my arm|can't move my wrist|"
                    "can't move my arm|can't lift my arm|can't move my finger|can't straighten|"
                    "can't bend it|looks deformed|looks bent|odd angle|funny angle|wrong angle"),
    "limb_injury": _f("risk", "twisted|rolled|went over on|sprained|sprain|fell|fall|landed on|"
                      "tripped|kicked|hit|jammed|bent back|caught it|slipped|stubbed|injured|injury|"
                      "football|rugby|skiing|trampoline"),
    "tooth": _f("risk", "tooth|teeth|toothache|tooth ache|dental|abscess|gum|gums|wisdom tooth|molar"),
    "face_jaw_swelling": _f("symptom", "face|cheek|jaw|under my jaw|side of my face|neck * "
                            "swell|swelling|swollen|swelled|puffy|puffed up|up|blown up|bigger",
                            "swollen|swelling|puffy * face|cheek|jaw|neck"),
    "needs_stitches": _f("symptom", "needs stitches|need stitches|needs stiches|need stiches|"
                         "might need stitches|probably needs stitches|needs stitching|needs glue|"
                         "needs steri strips|gaping|won't close|won't stay closed|edges won't stay|"
                         "edges are apart|can see fat|see the fat|can see inside|deep cut|cut is deep|"
                         "really deep|very deep|to the bone|deep gash|big gash|deep wound|split open"),
    "foot_problem": _f("symptom", "foot ulcer|ulcer on my foot|ulcer on his foot|ulcer on her foot|"
                       "ulcer|sore on my foot|wound on my foot|cut on my foot|blister on my foot|"
                       "toe is black|toe is red|toe is swollen|foot is red|foot is swollen|foot is hot|"
                       "toe ulcer|sore on my toe|black toe|toenail infected|foot wound|sore on his foot|"
                       "sore on her foot"),
    "dehydration_sign": _f("symptom", "fewer wet nappies|fewer wet diapers|less wet nappies|"
                           "not many wet nappies|not many wet diapers|dry nappies|dry nappy|dry diaper|"
                           "dry diapers|no wet nappy|no wet nappies|no wet diaper|hasn't had a wet|"
                           "not weeing much|hardly weeing|hardly peeing|barely peeing|barely weeing|"
                           "hasn't weed|hasn't peed|not peeing much|dark wee|dark pee|no tears|"
                           "crying without tears|dry lips|cracked lips|sunken eyes|sunken soft spot|"
                           "soft spot is sunken|sunken fontanelle|won't drink|not drinking|"
                           "refusing to drink|refusing drinks|can't keep fluids down|"
                           "can't keep water down|can't even keep water down"),
    "diarrhoea": _f("symptom", "diarrhoea|diarrhea|diarhea|diarrohea|runny poo|runny poos|"
                    "watery poo|watery poos|the runs|loose stools|loose poo|squits|pooing water"),
    "child": _f("who", "my son|my daughter|my child|my kid|my baby|my toddler|my boy|my girl|toddler|"
                "little one|our baby|baby|infant",
                _N(f"{n} year old|{n} yr old|{n} years old|{n} month old|{n} months old|"
                   f"{n} yo|{n}yo" for n in range(1, 13))),
    "animal_bite": _f("risk", "dog bite|cat bite|bat bite|rat bite|fox bite|monkey bite|human bite|"
                      "bitten by a|bitten by my|bitten by the|bitten by our|bitten by his|bitten by her",
                      "dog|dogs|cat|cats|kitten|puppy|fox|bat|rat|monkey|ferret|hamster|horse|squirrel|"
                      "someone|a kid|another child * bit me|bit my|bit him|bit her|bit his|bit our|bitten"),
    "skin_broken": _f("symptom", "broke the skin|broken the skin|broke skin|puncture|punctures|"
                      "skin is broken|skin's broken|broken skin|skin was broken|through the skin|"
                      "drew blood|drawn blood|"
                      "teeth marks|bleeding|deep|holes|hole in"),
    "burn": _f("risk", "burn|burnt|burned|scald|scalded|scalding|boiling water|boiling oil|hot oil|"
               "hot fat|steam|spilled hot|spilt hot|hot tea on|hot coffee on|kettle"),
    "burn_serious": _f("symptom", "blister|blisters|blistered|bigger than my hand|bigger than his hand|"
                       "bigger than her hand|size of my hand|white|leathery|charred|doesn't hurt|"
                       "on my face|on his face|on her face|on the face|on my hand|on his hand|"
                       "on her hand|on my hands|across|whole arm|whole leg|chest|groin|electrical"),
    "hearing_loss": _f("symptom", "sudden hearing loss|lost my hearing|lost the hearing|can't hear "
                       "out of|can't hear in|gone deaf|went deaf|deaf in one ear|hearing has gone|"
                       "hearing went"),
}

# Per-category rules, in the order they are tried (the first that fires is reported).
EMERGENCY_RULES: list[dict] = [
    {"id": "spreading_infection", "all": ["skin_spreading"],
     "any": ["pain_out_of_proportion", "fever", "sepsis_sign", "drowsy_confused", "severe"],
     "note": "redness or swelling spreading, with fever, shivers or pain out of proportion"},
    {"id": "infected_wound_fever", "all": ["wound", "fever", "swelling|skin_spreading"],
     "note": "a wound that is swollen or spreading, with fever or shivers"},
    {"id": "necrotising_infection", "all": ["pain_out_of_proportion"],
     "any": ["fever", "skin_dark", "skin_spreading", "sepsis_sign", "wound"],
     "note": "pain far beyond what the skin shows, with fever, dark skin or a wound"},
    {"id": "cauda_equina", "all": ["back_pain"],
     "any": ["saddle_numbness", "bladder_change", "bowel_control", "legs_weak"],
     "note": "back pain with saddle numbness, bladder or bowel change or weak legs"},
    {"id": "cauda_equina_signs", "any": ["saddle_numbness", "bladder_change", "bowel_control"],
     "n": 2, "note": "saddle numbness with a bladder or bowel change"},
    {"id": "bowel_obstruction", "all": ["no_poo|no_wind|green_vomit"],
     "weights": {"no_poo": 1, "no_wind": 2, "abdomen_swollen": 1, "vomiting": 1, "green_vomit": 2,
                 "abdominal_pain": 0.5},
     "threshold": 3, "note": "no stool or wind, swollen belly and vomiting"},
    {"id": "carbon_monoxide", "all": ["headache|nausea|dizzy|faint"],
     "weights": {"household": 1, "better_away": 2, "fuel_appliance": 1, "co_alarm": 3, "gas_smell": 2,
                 "headache": 0.5, "nausea": 0.5, "dizzy": 0.5},
     "threshold": 3, "note": "several people or one place, symptoms better away from it"},
    {"id": "compartment_syndrome", "all": ["cast|crush_injury"],
     "any": ["numb_tingle", "worsening", "limb_cold_pale", "tight_swelling", "severe",
             "pain_out_of_proportion"], "n": 2, "unless": ["resolved"],
     "note": "a cast or crush injury with numbness, worsening or out-of-proportion pain"},
    {"id": "pulmonary_embolism", "all": ["clot_risk"],
     "any": ["breathless", "pleuritic_pain", "fast_heart", "faint"],
     "unless": ["resolved"], "note": "surgery, a long journey or immobility, then breathlessness "
     "or pain on breathing"},
    {"id": "deep_vein_thrombosis", "all": ["calf_swollen"], "any": ["clot_risk", "pregnant",
                                                                     "postpartum"],
     "note": "a swollen calf after surgery, travel, pregnancy or birth"},
    {"id": "clot_signs", "all": ["calf_swollen|calf_pain"], "any": ["breathless", "pleuritic_pain"],
     "unless": ["exertion"], "note": "a painful or swollen calf with breathlessness"},
    {"id": "aortic_dissection", "all": ["tearing_pain"],
     "note": "tearing or ripping pain in the chest or back"},
    {"id": "diabetic_ketoacidosis", "all": ["diabetes|high_sugar"],
     "any": ["vomiting", "deep_breathing", "fruity_breath", "drowsy_confused", "abdominal_pain",
             "breathless"], "n": 2, "note": "diabetes or high sugars with vomiting, deep breathing "
     "or drowsiness"},
    {"id": "sepsis", "all": ["fever|infection"],
     "weights": {"sepsis_sign": 2, "drowsy_confused": 2, "breathless": 1, "fast_heart": 1,
                 "older_adult": 1, "faint": 1, "severe": 1},
     "threshold": 3, "note": "an infection or fever with mottled skin, no urine, confusion or "
     "fast breathing"},
    {"id": "meningitis", "all": ["fever|headache"],
     "any": ["stiff_neck", "light_sensitivity", "non_blanching", "drowsy_confused", "fever"], "n": 2,
     "note": "fever or headache with a stiff neck, light sensitivity, rash or drowsiness"},
    {"id": "gi_bleed", "all": ["black_stool"],
     "any": ["faint", "dizzy", "blood_thinner", "vomiting", "older_adult", "severe", "breathless"],
     "unless": ["iron_bismuth"], "note": "black or bloody stool with faintness or a blood thinner"},
    {"id": "testicular_torsion", "all": ["testicle"],
     "any": ["sudden", "severe", "vomiting", "nausea"], "unless": ["resolved"],
     "note": "sudden or severe testicle pain"},
    {"id": "head_injury_risk", "all": ["head_injury"],
     "any": ["blood_thinner", "vomiting", "drowsy_confused", "older_adult", "faint", "severe"],
     "note": "a head injury on a blood thinner, in an older adult, or with vomiting or drowsiness"},
    {"id": "settled_faint", "lower": True, "all": ["faint|dizzy", "resolved", "trigger_benign"],
     "unless": ["sudden", "severe", "breathless", "fast_heart", "pregnant", "head_injury",
                "blood_thinner", "older_adult", "black_stool"],
     "note": "a faint with an everyday trigger (blood test, standing up fast, heat) and well since"},
    {"id": "black_stool_benign", "lower": True, "all": ["black_stool", "iron_bismuth"],
     "unless": ["faint", "dizzy", "blood_thinner", "vomiting", "severe", "older_adult",
                "breathless", "abdominal_pain"],
     "note": "black stool with iron, bismuth or a dark food, and nothing else wrong"},
    {"id": "co_alarm_upkeep", "lower": True, "all": ["co_alarm", "alarm_upkeep"],
     "unless": ["headache", "nausea", "dizzy", "faint", "drowsy_confused", "vomiting"],
     "note": "looking after a carbon monoxide alarm, nobody unwell"},
    {"id": "chest_pressure_with_signs", "all": ["chest_discomfort"],
     "any": ["sweaty", "breathless", "nausea", "faint", "arm_jaw", "vomiting"],
     "note": "chest pressure or heaviness with sweating, breathlessness, "
     "sickness or arm/jaw pain"},
    {"id": "stroke_signs", "any": ["speech_trouble", "one_side_weak", "face_droop", "visual"], "n": 2,
     "unless": ["resolved"],
     "note": "two stroke signs together: speech, one-sided weakness, a drooping face, vision"},
    {"id": "found_unresponsive", "all": ["found_down", "unresponsive"],
     "note": "someone found collapsed who does not respond"},
    {"id": "sudden_severe_pain", "all": ["sudden", "severe"],
     "any": ["abdominal_pain", "headache", "back_pain", "faint"],
     "note": "sudden severe pain in the head, belly or back"},
]

INFANT_RULES: list[dict] = [
    {"id": "febrile_young_infant", "all": ["infant_young", "fever"], "unless": ["pregnant"],
     "note": "any fever in a baby under 3 months"},
    {"id": "young_infant_unwell", "all": ["infant_young"],
     "any": ["vomiting", "green_vomit", "drowsy_confused", "breathless", "sepsis_sign",
             "non_blanching"], "unless": ["well_child", "pregnant"],
     "note": "a baby under 3 months who is vomiting, drowsy or breathing fast"},
]

PREGNANCY_RULES: list[dict] = [
    {"id": "postpartum_haemorrhage", "all": ["postpartum"],
     "any": ["heavy_bleeding", "clots", "faint"], "n": 1,
     "unless": ["resolved"], "note": "heavy bleeding, clots or faintness after birth"},
    {"id": "ectopic_pregnancy", "all": ["pregnant"],
     "any": ["one_sided_pain", "shoulder_tip", "faint", "dizzy", "bleeding", "severe"], "n": 2,
     "note": "pregnancy or a late period with one-sided pain, shoulder-tip pain, bleeding or "
     "faintness"},
    {"id": "pre_eclampsia", "all": ["pregnant"],
     "any": ["headache", "visual", "face_swelling", "upper_abdo_pain"], "n": 2,
     "note": "pregnancy with headache, visual change, sudden swelling or upper belly pain"},
    {"id": "postpartum_settled", "lower": True, "all": ["postpartum", "light_bleeding|resolved"],
     "unless": ["heavy_bleeding", "faint", "dizzy", "fever", "severe", "sudden", "worsening",
                "abdominal_pain"],
     "note": "light or settled bleeding after birth with nothing else wrong"},
    {"id": "postpartum_infection", "all": ["postpartum", "fever"],
     "any": ["abdominal_pain", "sepsis_sign", "fast_heart", "drowsy_confused", "wound"],
     "note": "fever after birth with pain, a wound or signs of sepsis"},
]

# Same-day care: a clinician should see these today (GP, urgent care, 111); the answer
# would otherwise be self-care advice for something that needs an examination.
URGENT_RULES: list[dict] = [
    {"id": "skin_infection", "all": ["skin_inflamed", "skin_area|worsening|skin_spreading"],
     "unless": ["resolved", "exertion"],
     "note": "a red, warm or swollen area of skin: possible cellulitis"},
    {"id": "infected_wound", "all": ["wound|burn", "pus|skin_spreading"],
     "unless": ["resolved"], "note": "a cut, bite or wound that is oozing pus or red around it"},
    {"id": "ear_infection", "all": ["earache"], "any": ["fever", "severe", "pus", "hearing_loss"],
     "note": "earache with fever, severe pain or discharge"},
    {"id": "painful_eye", "all": ["eye_pain"],
     "any": ["light_sensitivity", "visual", "contact_lens", "eye_injury", "severe", "headache"],
     "note": "a painful eye with light sensitivity, vision change, a contact lens or an injury"},
    {"id": "eye_injury", "all": ["eye_injury"], "any": ["pain", "visual", "skin_inflamed"],
     "note": "something in the eye, with pain or blurred vision"},
    {"id": "stuck_in_throat", "all": ["throat_stuck"], "unless": ["resolved", "dislodged"],
     "note": "a bone, food or a tablet stuck in the throat"},
    {"id": "possible_fracture", "all": ["no_weight"], "unless": ["resolved"],
     "note": "cannot bear weight or use a limb, or it looks out of shape"},
    {"id": "dental_swelling", "all": ["tooth", "face_jaw_swelling|face_swelling"],
     "note": "a tooth or gum problem with the face or jaw swelling: a dental abscess spreading"},
    {"id": "wound_needs_closing", "all": ["needs_stitches"],
     "note": "a wound that gapes or may need stitches or glue"},
    {"id": "diabetic_foot", "all": ["diabetes", "foot_problem"],
     "note": "a foot ulcer, wound or red foot in someone with diabetes"},
    {"id": "dehydration", "all": ["dehydration_sign"],
     "any": ["diarrhoea", "vomiting", "fever", "child", "infant_young"],
     "note": "diarrhoea, vomiting or fever with signs of dehydration"},
    {"id": "child_fever_severe_pain", "all": ["child", "fever", "severe"],
     "unless": ["well_child", "resolved"],
     "note": "a child with fever and severe pain"},
    {"id": "animal_bite", "all": ["animal_bite", "skin_broken|pus|skin_inflamed"],
     "note": "an animal or human bite that broke the skin: antibiotics, tetanus, rabies risk"},
    {"id": "serious_burn", "all": ["burn", "burn_serious"], "unless": ["resolved"],
     "note": "a blistering, large or deep burn, or one on the face, hands or groin"},
    {"id": "sudden_deafness", "all": ["hearing_loss"],
     "note": "hearing lost suddenly: treatment works best within days"},
]

TRIAGE_RULES: dict[str, list[dict]] = {
    "emergency": EMERGENCY_RULES,
    "infant_red_flags": INFANT_RULES,
    "pregnancy_red_flags": PREGNANCY_RULES,
    "urgent_care": URGENT_RULES,
}
