"""Is a question written in English? The guides are English only, so a question in another language gets
a reply saying so (and inviting an English question) instead of the English "not covered" note.

`looks_english(text)` is a cheap heuristic with no dependency: the script of the letters (mostly
non-Latin letters: not English), then common function words of English against those of the languages
members most often write in (Spanish, Portuguese, French, German, Italian, Dutch, Indonesian, Turkish),
plus inverted Spanish marks and diacritics. Words both languages share ("a", "in", "me", "no", "was",
"come", "on") count for neither side. When in doubt it says English: a short technical question
("pandas or polars?") has no function words at all, and wrongly refusing an English question is worse
than answering a foreign one with the English note.
"""
from __future__ import annotations

import re
import unicodedata

NOT_ENGLISH_NOTE = (
    "The guides are written in English, so I can only search them in English. Please ask again in English, "
    "for example: \u201cDo I need a degree to become an ML engineer?\u201d"
)

ENGLISH = frozenset("""
the a an is are am was were be been do does did i you we they he she it my your our their this that these
those what which who whom whose why how when where should could would can will shall may might must to of
and or but if for with without from into about as at by than then there here not any some more most much
many just only also very get got need needs want become becoming learn learning job jobs work working
have has having should i'm i've what's how's it's don't doesn't isn't
""".split())

FOREIGN = frozenset("""
el la los las un una unos unas del al que qué por para como cómo es está estoy son soy ser mi mis tu yo
quiero puedo necesito trabajo ingeniero ingeniera aprender hacer cuál cual dónde cuando cuándo porque pero
y o con sin sobre más muy también hay
não uma um eu sou você como posso quero preciso fazer trabalho engenheiro aprender isso isto onde qual
quando também mais muito da do das dos na nas nos em ao às
le les une est et je suis tu nous vous il elle ce cette ces des du au aux pour dans avec pas plus qui quoi
comment devenir ingénieur apprendre faut dois peux veux mon ma mes où quel quelle pourquoi aussi très
der die das den dem des ein eine einen einem ist sind ich du wir ihr sie es und oder nicht mit für auf von
zu wie werde werden kann können muss brauche ohne auch sehr welche welcher warum wo wann bin
il lo gli di da che sono è io tu voglio posso devo fare lavoro ingegnere imparare dove quale perché anche
molto della delle degli nel nella
het een ik jij je wij zijn niet met voor op van hoe wat waarom waar kan moet wil worden ook heel
yang dan di ini itu saya aku bagaimana apa untuk dengan tidak bisa ingin menjadi bagaimanakah
bir ve ile için nasıl ne neden ben sen değil olmak istiyorum
""".split()) - ENGLISH - frozenset("in me no so was will come per son on also man an am hat die".split())

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_LATIN_PLAIN = set("abcdefghijklmnopqrstuvwxyz")
_ENGLISH_ACCENTED = frozenset({"résumé", "resumé", "café", "naïve", "fiancé", "cliché", "déjà", "vu"})


def _is_latin(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")


def looks_english(text: str) -> bool:
    """True when `text` reads as English, or when there is too little to tell."""
    letters = [c for c in text or "" if c.isalpha()]
    if not letters:
        return True
    non_latin = sum(1 for c in letters if not _is_latin(c))
    if non_latin * 2 > len(letters):
        return False
    words = [w.casefold() for w in _WORD.findall(text)]
    english = sum(1 for w in words if w in ENGLISH)
    foreign: float = sum(1 for w in words if w in FOREIGN)
    foreign += sum(0.5 for w in words if w not in FOREIGN and w not in _ENGLISH_ACCENTED
                   and any(c.isalpha() and c not in _LATIN_PLAIN for c in w))
    foreign += 1 if re.search(r"[¿¡]", text) else 0
    if english == 0:
        return foreign < 1
    return not (foreign >= 2 and foreign > english)
