"""Maximum adult doses of common over-the-counter medicines: policy data for safety/dose.py.

Each limit is the adult maximum on the over-the-counter label (US Drug Facts, or the NHS
medicines pages for UK-only names), not the prescription maximum: the assistant advises
on self-care, and a dose above the OTC label is for a prescriber to decide. `single_mg` is
the most in one dose, `daily_mg` the most in 24 hours. Review against the current label
before relying on a number; the source of each is noted beside it.

Names are matched as whole words after lower-casing; brands map to their ingredient.
Combination products (cold-and-flu mixtures) are not split into ingredients: a dose given
for one is read against the ingredient named, if any.
"""
from __future__ import annotations

LIMITS: dict[str, dict] = {
    "paracetamol": {
        "single_mg": 1000, "daily_mg": 4000,
        "names": ("paracetamol", "acetaminophen", "tylenol", "panadol", "apap", "calpol"),
        "source": "NHS paracetamol for adults (1 g per dose, 4 g in 24 h); FDA Drug Facts "
                  "for acetaminophen 500 mg (max 4,000 mg/24 h, some labels 3,000 mg)",
    },
    "ibuprofen": {
        "single_mg": 400, "daily_mg": 1200,
        "names": ("ibuprofen", "advil", "motrin", "nurofen"),
        "source": "FDA Drug Facts ibuprofen 200 mg (1-2 tablets every 4-6 h, max 6 tablets "
                  "= 1,200 mg/24 h); NHS ibuprofen (OTC max 1,200 mg a day)",
    },
    "naproxen": {
        "single_mg": 440, "daily_mg": 660,
        "names": ("naproxen", "aleve", "naprosyn", "anaprox"),
        "source": "FDA Drug Facts naproxen sodium 220 mg (first dose may be 2 tablets, max 3 "
                  "tablets = 660 mg/24 h); prescription strengths are for a prescriber",
    },
    "aspirin": {
        "single_mg": 1000, "daily_mg": 4000,
        "names": ("aspirin", "acetylsalicylic acid", "bayer", "ecotrin"),
        "source": "FDA Drug Facts aspirin 325 mg (1-2 tablets every 4 h, max 12 tablets = "
                  "3,900 mg/24 h); NHS aspirin for pain (300-900 mg, max 4 g a day)",
    },
    "diphenhydramine": {
        "single_mg": 50, "daily_mg": 300,
        "names": ("diphenhydramine", "benadryl", "nytol", "zzzquil", "unisom sleepgels"),
        "source": "FDA Drug Facts diphenhydramine 25 mg (1-2 capsules every 4-6 h, max 6 "
                  "doses = 300 mg/24 h)",
    },
    "loperamide": {
        "single_mg": 4, "daily_mg": 8,
        "names": ("loperamide", "imodium"),
        "source": "FDA Drug Facts loperamide 2 mg (4 mg after the first loose stool, then 2 mg, "
                  "max 8 mg/24 h OTC); FDA 2016 warning on cardiac harm at high doses",
    },
    "cetirizine": {
        "single_mg": 10, "daily_mg": 10,
        "names": ("cetirizine", "zyrtec", "piriteze"),
        "source": "FDA Drug Facts cetirizine 10 mg (one 10 mg tablet in 24 h)",
    },
    "loratadine": {
        "single_mg": 10, "daily_mg": 10,
        "names": ("loratadine", "claritin", "clarityn"),
        "source": "FDA Drug Facts loratadine 10 mg (one tablet daily, not more than 1 in 24 h)",
    },
    "fexofenadine": {
        "single_mg": 180, "daily_mg": 180,
        "names": ("fexofenadine", "allegra", "telfast"),
        "source": "FDA Drug Facts fexofenadine 180 mg (one tablet in 24 h)",
    },
    "dextromethorphan": {
        "single_mg": 30, "daily_mg": 120,
        "names": ("dextromethorphan", "robitussin dm", "delsym"),
        "source": "FDA Drug Facts dextromethorphan HBr (30 mg every 6-8 h, max 120 mg/24 h)",
    },
    "guaifenesin": {
        "single_mg": 1200, "daily_mg": 2400,
        "names": ("guaifenesin", "mucinex"),
        "source": "FDA Drug Facts guaifenesin extended-release 600 mg (1-2 tablets every 12 h, "
                  "max 2,400 mg/24 h)",
    },
    "pseudoephedrine": {
        "single_mg": 120, "daily_mg": 240,
        "names": ("pseudoephedrine", "sudafed"),
        "source": "FDA Drug Facts pseudoephedrine (60 mg every 4-6 h or 120 mg ER every 12 h, "
                  "max 240 mg/24 h)",
    },
    "famotidine": {
        "single_mg": 20, "daily_mg": 40,
        "names": ("famotidine", "pepcid"),
        "source": "FDA Drug Facts famotidine 20 mg (1 tablet, max 2 tablets in 24 h)",
    },
    "omeprazole": {
        "single_mg": 20, "daily_mg": 20,
        "names": ("omeprazole", "prilosec", "losec"),
        "source": "FDA Drug Facts omeprazole 20 mg (1 tablet a day for 14 days)",
    },
}

# Medicines whose dose only the prescriber changes: an answer that tells the person to
# double, raise, cut or stop one is replaced, and a question asking whether to is deferred.
PRESCRIPTION_ONLY = (
    "insulin", "warfarin", "coumadin", "apixaban", "eliquis", "rivaroxaban", "xarelto",
    "clopidogrel", "metformin", "gliclazide", "glipizide", "lisinopril", "ramipril",
    "amlodipine", "losartan", "bisoprolol", "metoprolol", "atenolol", "propranolol",
    "atorvastatin", "simvastatin", "levothyroxine", "thyroxine", "digoxin", "lithium",
    "methotrexate", "prednisone", "prednisolone", "steroids", "sertraline", "fluoxetine",
    "citalopram", "escitalopram", "venlafaxine", "mirtazapine", "amitriptyline",
    "antidepressant", "antidepressants", "antibiotic", "antibiotics", "amoxicillin",
    "gabapentin", "pregabalin", "lamotrigine", "levetiracetam", "valproate", "carbamazepine",
    "seizure medication", "seizure meds", "blood thinner", "blood thinners",
    "blood pressure medication", "blood pressure meds", "blood pressure tablets",
    "heart medication", "water tablets", "furosemide",
) + (
    # controlled medicines (also what prescription requests are about)
    "oxycodone", "oxycontin", "percocet", "hydrocodone", "vicodin", "morphine", "codeine",
    "tramadol", "fentanyl", "methadone", "buprenorphine", "suboxone", "diazepam", "valium",
    "alprazolam", "xanax", "lorazepam", "ativan", "clonazepam", "klonopin", "zolpidem",
    "ambien", "adderall", "amphetamine", "methylphenidate", "ritalin", "concerta",
    "vyvanse", "modafinil", "ketamine",
)
CONTROLLED = PRESCRIPTION_ONLY[PRESCRIPTION_ONLY.index("oxycodone"):]
