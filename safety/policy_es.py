"""Spanish red-flag policy: lay phrases written from clinical red-flag knowledge (the way a
triage nurse hears them in Spanish), Spanish negation cues and Spanish deferral messages.

Plain data, in the same phrase language as the English policy (accents are folded, so
"cabeza" and "cabéza", "pecho" and "pécho" are one spelling; `a|b` alternatives, `x * y`
within a few words). The English word-form table does not apply to Spanish, so verb forms
are listed. Phrases that mean an absence start with "no" themselves ("no puedo respirar",
"no responde"), so the negation "no" never negates them.
"""
from __future__ import annotations

from .negation import Cues

EMERGENCIA = (
    "Esto podría ser una emergencia médica. Llame ahora a su número local de emergencias "
    "(112 en España y la UE, 911 en EE. UU. y gran parte de América Latina) o vaya al "
    "servicio de urgencias más cercano. No espere una respuesta mía."
)
AUTOLESION = (
    "Siento mucho que esté pasando por esto y me alegra que lo haya dicho. Merece el apoyo de "
    "una persona ahora mismo. En EE. UU. puede llamar o escribir al 988 (tiene opción en "
    "español); en España, llame al 024. Si corre peligro inmediato, llame al 112 o al 911."
)
INTOXICACION = (
    "Esto puede ser una intoxicación o una sobredosis. Si la persona está inconsciente, le "
    "cuesta respirar o tiene convulsiones, llame ahora al número de emergencias (112 / 911). "
    "Si no, llame a Toxicología (1-800-222-1222 en EE. UU.; 91 562 04 20 en España)."
)
EMBARAZO = (
    "Estos síntomas en el embarazo o después del parto deben valorarse con urgencia. Llame "
    "ahora a su matrona, ginecólogo o a la unidad de partos, o al número de emergencias "
    "(112 / 911) si son intensos."
)
BEBE = (
    "Los bebés pequeños pueden enfermar gravemente muy rápido. Llame ahora a su pediatra o a "
    "una línea de consejo urgente. Si el bebé está muy dormido, flojo, morado o le cuesta "
    "respirar, llame de inmediato al número de emergencias (112 / 911)."
)
DEFECTO = (
    "No puedo ayudar con esto de forma segura. Consulte a un médico o farmacéutico, o llame "
    "al número de emergencias si es urgente."
)

# Spanish negation: the one algorithm of safety/negation.py with Spanish cues (accents folded).
# "no" is the general verb negator (like English "not"/"don't"), so it reaches two words:
# "no tengo dolor de pecho", "no he tenido dolor de pecho", but not "no sé por qué me duele el
# pecho"; and it is no negation before "sé", "se me quita", "aguanto", "para", "mejora".
NEGATION_CUES = ("sin", "nunca", "jamas", "ningun", "ninguna", "ninguno", "tampoco", "ni",
                 "niega", "niego", "descarta", "descartado", "descartada")
NEGATION_BREAKS = ("pero", "aunque", "sino")
NEGATION = Cues(
    "es",
    pre_triggers=("no", *NEGATION_CUES, "nunca he tenido", "nunca ha tenido", "no hay"),
    post_triggers=("descartado", "descartada", "descartados", "se descarto", "resuelto", "resuelta",
                   "ha desaparecido", "ya paso", "salio negativo", "salio negativa", "dio negativo"),
    short_reach={"no": 2, "ni": 2, "nunca": 3, "jamas": 3, "tampoco": 3, "ningun": 1, "ninguna": 1,
                 "ninguno": 1},
    pseudo_after={"no": ("se", "entiendo", "aguanto", "soporto", "puedo mas", "para", "paro", "cesa",
                         "cede", "mejora", "mejoro", "me deja", "deja", "pasa", "calma", "alivia",
                         "funciona", "sirve", "ayuda", "es normal", "estoy seguro", "estoy segura",
                         "solo", "sabe", "sabemos", "se quita", "se va", "hay manera", "hay forma",
                         "cambia", "quiero", "creo", "tiene sentido", "habia tenido", "he tenido nunca")},
    double_negative={"sin": frozenset({"no", "nunca", "puedo", "puede"})},
    terminator_words=frozenset(NEGATION_BREAKS) | frozenset(
        "y e porque pues cuando mientras ahora hoy luego despues tambien ademas todavia aun "
        "si que yo ella ellos ellas solo de repente".split()),
    negated_trigger=frozenset({"no", "nunca", "jamas"}),
    cancel_skip=frozenset({"se", "ha", "han", "todavia", "aun"}),
    novelty=("asi", "como este", "como esta", "tan fuerte", "tan intenso", "tan intensa", "antes",
             "hasta ahora", "hasta hoy", "empezo", "empezado", "comenzo", "de repente", "hace",
             "por primera vez", "otra vez", "de nuevo"),
)

_PECHO = "pecho|torax|esternon"
_DOLOR = "dolor|dolores|presion|opresion|peso|ardor|punzada|punzadas"

_EMERGENCIA = [
    # corazón
    f"{_DOLOR} * {_PECHO}", f"me duele el {_PECHO}", f"me aprieta el {_PECHO}",
    f"me duele|me aprieta|me arde|me oprime *3 {_PECHO}",
    f"{_PECHO} * me duele|me aprieta|me arde|oprimido|apretado",
    "dolor * brazo izquierdo", "dolor * mandibula y el brazo", "infarto", "ataque al corazon",
    "ataque cardiaco", "paro cardiaco", "no tiene pulso", "no le encuentro el pulso",
    # respiración
    "me cuesta respirar", "le cuesta respirar", "no puedo respirar", "no puede respirar",
    "no respira", "dificultad para respirar", "falta de aire", "me falta el aire",
    "le falta el aire", "me ahogo", "se ahoga", "ahogando", "asfixia", "me asfixio",
    "labios morados", "labios azules", "se esta poniendo morado", "se puso morado",
    # ictus
    "cara caida", "cara torcida", "boca torcida", "se le cae la cara", "se le torcio la boca",
    "no puede mover el brazo", "no puedo mover el brazo", "no siento el brazo",
    "no siento la pierna", "un lado del cuerpo", "habla arrastrada", "arrastra las palabras",
    "habla raro", "no puede hablar", "no le salen las palabras", "derrame cerebral", "ictus",
    "embolia",
    # conciencia, convulsiones, cabeza
    "se desmayo", "se ha desmayado", "perdio el conocimiento", "ha perdido el conocimiento",
    "inconsciente", "no responde", "no reacciona", "no se despierta", "no despierta",
    "convulsion", "convulsiones", "convulsionando", "ataque epileptico",
    "el peor dolor de cabeza de mi vida", "peor dolor de cabeza", "dolor de cabeza muy fuerte y repentino",
    "dolor de cabeza * rigidez de nuca|cuello rigido|fiebre|vomitos",
    "se golpeo la cabeza * vomita|vomito|vomitando|confuso|confundido|dormido",
    # sangrado, alergia, otros
    "sangra mucho", "sangrado abundante", "no para de sangrar", "no deja de sangrar",
    "vomito sangre", "vomitando sangre", "tose sangre", "tosiendo sangre", "heces negras",
    "se me hincha la garganta", "se le hincha la garganta", "garganta cerrada",
    "se me cierra la garganta", "lengua hinchada", "reaccion alergica grave", "anafilaxia",
    "manchas que no desaparecen", "confusion repentina", "muy confundido", "muy confundida",
    "dolor de barriga muy fuerte|dolor abdominal muy fuerte|dolor de estomago muy fuerte",
]
_AUTOLESION = [
    "quiero morir", "quiero morirme", "me quiero morir", "quiero matarme", "me quiero matar",
    "voy a matarme", "pienso en matarme", "pensando en suicidarme", "suicidarme", "suicidio",
    "quitarme la vida", "acabar con mi vida", "no quiero vivir", "no quiero seguir viviendo",
    "hacerme dano", "me corto", "cortarme", "autolesion", "mejor muerto", "mejor muerta",
]
_INTOXICACION = [
    "sobredosis", "me tome todas las pastillas", "se tomo todas las pastillas",
    "me tome un bote", "se tomo un bote", "tome demasiadas pastillas", "tomo demasiadas pastillas",
    "muchas pastillas", "se bebio lejia", "bebio lejia", "trago lejia", "se trago",
    "intoxicacion", "envenenamiento", "envenenado", "envenenada", "monoxido de carbono",
]
_EMBARAZO = [
    "embarazada|embarazo|semanas de embarazo ... sangrado|sangro|sangrando|sangre|dolor muy fuerte|"
    "vision borrosa|no noto al bebe|no se mueve|rompi aguas|convulsion|hinchazon de cara",
    "el bebe no se mueve", "no noto moverse al bebe", "rompi aguas", "he roto aguas",
    "despues del parto * sangrado|sangrando|fiebre|dolor de cabeza",
]
_BEBE = [
    "bebe|recien nacido * fiebre|no come|no quiere comer|muy dormido|flojo|morado|"
    "no respira|le cuesta respirar|convulsion|no se despierta",
    "fontanela abombada", "mollera abultada", "mollera hundida",
]

POLICY_ES: dict = {
    "use_default_policy": False,
    "default_message": DEFECTO,
    "categories": {
        "self_harm": {"action": "defer", "priority": 110, "message": AUTOLESION, "phrases": _AUTOLESION},
        "emergency": {"action": "defer", "priority": 100, "message": EMERGENCIA, "phrases": _EMERGENCIA},
        "poisoning_overdose": {"action": "defer", "priority": 90, "message": INTOXICACION,
                               "phrases": _INTOXICACION},
        "infant_red_flags": {"action": "defer", "priority": 85, "message": BEBE, "phrases": _BEBE},
        "pregnancy_red_flags": {"action": "defer", "priority": 80, "message": EMBARAZO, "phrases": _EMBARAZO},
    },
}
