"""Which language a comment is in, from its most common small words. Stdlib only.

Comments are short, so a stopword count beats character statistics here; a few letters that
only one language uses (¿, ß, ç) break ties. Unknown or mixed text counts as English.
"""

from __future__ import annotations

import re

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}

_STOPWORDS = {
    "en": "the and is are was were you your it this that for with have has do does did not but "
    "can will would what when where how why my we our they of to in on at be so just i me "
    "a an there any",
    "es": "el la los las es son y que de del en con por para una un tienen hay qué cómo cuándo "
    "dónde mi tu su sus muy pero también gracias hola se lo al todos ustedes aceptan o "
    "solo queremos ir",
    "fr": "le la les est et que de des du en un une pour avec pas sur est-ce qu'il il elle nous "
    "vous je tu mon ma mes très mais aussi merci bonjour c'est au aux ce cette quelqu'un "
    "y a",
    "de": "der die das und ist sind nicht ein eine mit für auf auch ihr ich du wir es zu den "
    "dem sehr aber danke hallo wird werden habt gibt noch wie was wann wo warum "
    "gerade",
    "it": "il lo la gli le è e che di del della un una per con non sono anche grazie ciao "
    "molto ma come quando dove perché",
    "pt": "o a os as é e que de do da em um uma para com não são também obrigado obrigada olá "
    "muito mas como quando onde você vocês",
    "nl": "de het een en is zijn niet met voor op ook ik je jij wij we heel maar hoe wanneer "
    "waar waarom bedankt hallo dank",
}
_MARKERS = {"es": "¿¡ñ", "de": "ßäöü", "fr": "çèêàœ", "pt": "ãõ", "it": "ì"}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def detect_language(text: str) -> str:
    """An ISO 639-1 code: en, es, fr, de, it, pt or nl; "en" when nothing else stands out."""
    lowered = text.casefold().replace("’", "'")
    words = _WORD.findall(lowered)
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORD_SETS.items()}
    for lang, letters in _MARKERS.items():
        scores[lang] += 0.5 * sum(lowered.count(c) for c in letters)
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    # a lone shared word ("a", "de") is no evidence; English wins unless clearly beaten
    if best != "en" and scores[best] < max(2, scores["en"] + 1):
        return "en"
    return best


_STOPWORD_SETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
