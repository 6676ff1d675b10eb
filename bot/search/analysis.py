"""One analyser for passages and questions: normalise, tokenise, drop stopwords, stem.

Technical tokens survive (`c++`, `c#`, `f#`, `.net`, `node.js`, `r`, `c`); the field's acronyms are
rewritten to their expansions on both sides (so "ML" in a guide and "machine learning" in a question
meet), and a few query-side synonyms are added to questions only (`expand_query`).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain

import Stemmer

_TOKEN = re.compile(r"\.net\b|[a-z0-9]+(?:\.(?:js|ts|net|py|io)\b)?(?:\+\+|#)?")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_CLITIC = re.compile(r"'(?<=\w')(?:s|re|ve|ll|d|m|t)\b")  # possessive 's and contractions ('re, 'll, n't ...)
_PHD = re.compile(r"\bph\.?\s?d\b\.?")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc)\b\.?")

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just let lets me
more most my myself no nor not now of off on once only or other our ours ourselves out over own same
she should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves also get got getting gonna wanna want wants really like
thing things anyone someone guys hey pls please thanks tell know way ok okay much many help
""".split())

# Acronyms and short forms, rewritten on both sides (documents and questions).
CANONICAL: dict[str, str] = {
    "ml": "machine learning",
    "mle": "machine learning engineer",
    "mles": "machine learning engineers",
    "ai": "artificial intelligence",
    "dl": "deep learning",
    "nlp": "natural language processing",
    "swe": "software engineer",
    "sde": "software engineer",
    "ds": "data scientist",
    "cs": "computer science",
    "compsci": "computer science",
    "doctorate": "phd",  # not "doctor": its stem would make "how do I become a doctor?" a PhD question
    "doctoral": "phd",
    "msc": "master",
    "ms": "master",
    "meng": "master",
    "masters": "master",
    "bsc": "bachelor",
    "maths": "mathematics",
    "math": "mathematics",
    "stats": "statistics",
    "stat": "statistics",
    "llm": "large language model",
    "llms": "large language models",
    "mlops": "mlops machine learning operations",
    "rl": "reinforcement learning",
    "cv": "computer vision resume",
    "gpu": "gpu graphics processing",
    "sql": "sql database",
    "oop": "object oriented programming",
    "dsa": "data structures algorithms",
    "leetcode": "coding problems",
    "ci": "continuous integration",
    "cd": "continuous deployment",
    "uni": "university",
    "eng": "engineer",
    "comp": "computer",
    "sci": "science",
    "grad": "graduate",
    "undergrad": "undergraduate",
    "bootcamps": "bootcamp",
}

# Query-side synonyms: a question word brings these guide words along (never the other way round).
QUERY_SYNONYMS: dict[str, str] = {
    # money
    "pay": "salary", "paid": "salary", "earn": "salary", "earning": "salary", "money": "salary lucrative",
    "income": "salary", "compensation": "salary", "wage": "salary", "salaries": "salary", "rich": "lucrative",
    "worth": "lucrative", "package": "salary",
    # education
    "degree": "education", "degrees": "education", "college": "degree university", "university": "degree",
    "school": "degree education", "study": "degree education", "studied": "degree education", "major": "degree",
    "cert": "certification certificates", "certs": "certification certificates", "certificate": "certification",
    "bootcamp": "courses online", "mooc": "courses online", "coursera": "courses online", "udemy": "courses online",
    "self": "online courses", "taught": "online courses",
    # path and experience
    "junior": "entry-level", "beginner": "entry-level foundation", "newbie": "entry-level foundation",
    "fresher": "entry-level", "fresh": "entry-level", "intern": "internship experience",
    "internship": "experience", "start": "foundation first", "begin": "foundation first",
    "resources": "courses online", "materials": "courses online", "employable": "hiring skills",
    "land": "hiring", "landing": "hiring",
    "roadmap": "steps plan path", "path": "steps roadmap", "route": "path steps", "plan": "steps",
    "switch": "transition", "pivot": "transition", "move": "transition", "change": "transition",
    "background": "backgrounds come", "hard": "tough", "difficult": "tough", "tough": "hard",
    # work
    "job": "role career", "jobs": "roles careers", "day": "tasks responsibilities", "daily": "tasks responsibilities",
    "duties": "responsibilities tasks", "tasks": "responsibilities duties", "responsibilities": "tasks duties",
    "postings": "job descriptions", "listings": "job descriptions", "requirements": "job descriptions",
    "hire": "hiring", "hired": "hiring", "hires": "hiring", "employers": "companies hiring",
    "coworkers": "work with", "colleagues": "work with", "team": "work with", "teams": "work with",
    "deploy": "production deploying", "ship": "production", "prod": "production",
    # skills and tools
    "math": "mathematics", "coding": "programming", "code": "programming", "programmer": "programming",
    "language": "programming", "languages": "programming", "interview": "interviews", "leetcode": "coding problems",
    "library": "libraries frameworks", "framework": "frameworks libraries", "tool": "tools", "stack": "tools",
    "sklearn": "scikit-learn scikit", "tf": "tensorflow", "torch": "pytorch", "nets": "networks",
    "viz": "visualization", "charts": "visualization", "dashboards": "visualization", "plots": "visualization",
    "docs": "documentation", "github": "portfolio projects", "kaggle": "competitions projects",
    "aws": "cloud", "gcp": "cloud", "azure": "cloud", "laptop": "computer", "pc": "computer",
    "practice": "practise", "practise": "practice",
    # outlook
    "future": "outlook", "outlook": "future", "trend": "trends future", "prospects": "future outlook",
    "hype": "demand popular", "popular": "demand", "demand": "growth", "saturated": "demand", "oversaturated": "demand growth",
    "overcrowded": "demand growth", "crowded": "demand growth", "competitive": "demand", "competition": "demand",
    "stand": "valuable candidate", "edge": "valuable candidate",
    # comparisons and meaning
    "difference": "vs", "differ": "vs", "compare": "vs", "compared": "vs",
    "mean": "definition", "meaning": "definition",
}

_stemmer = Stemmer.Stemmer("english")


def normalise(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    text = text.casefold()
    if "'" in text:
        text = _CLITIC.sub("", text)
    if "e.g" in text or "i.e" in text or "etc" in text:
        text = _ABBREVIATIONS.sub(" ", text)
    if "v/s" in text:
        text = text.replace("v/s", "vs")
    if "ph." in text or "ph d" in text:
        text = _PHD.sub("phd", text)
    return text


def _raw_tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    if not token.isalnum():
        return token  # c++, c#, node.js, .net: kept as written
    return _stemmer.stemWord(token)


def stem(word: str) -> str:
    """The stem the index uses for one lower-case word."""
    return _stem(word)


def _canonical(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        expansion = CANONICAL.get(token)
        out.extend(expansion.split() if expansion else (token,))
    return out


# raw token -> its index terms; every step (acronyms, stopwords, stemming) is per token, so the whole
# mapping can be cached, which keeps analysing 100k passages to one dict lookup per token.
_TERMS: dict[str, tuple[str, ...]] = {}
_TERMS_LIMIT = 500_000


def _terms_of(token: str) -> tuple[str, ...]:
    terms = tuple(_stem(t) for t in _canonical([token]) if t not in STOPWORDS)
    if len(_TERMS) >= _TERMS_LIMIT:
        _TERMS.clear()
    _TERMS[token] = terms
    return terms


def analyse(text: str) -> list[str]:
    """Index terms of a passage (or the base terms of a question), in order, repeats kept."""
    tokens = _raw_tokens(text)
    cached = list(map(_TERMS.get, tokens))
    if None in cached:
        return list(chain.from_iterable(terms if terms is not None else _terms_of(token)
                                        for terms, token in zip(cached, tokens)))
    return list(chain.from_iterable(terms for terms in cached if terms is not None))


# Question phrasings whose meaning no single word carries: "how much do MLEs make?" asks about pay.
QUERY_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bhow much (?:money )?(?:do|does|did|can|could|will|would)\b.*\bmake\b"), "salary"),
    (re.compile(r"\bgrad(?:uate)? (?:school|degree|studies)\b"), "master phd"),
    (re.compile(r"\bfoot in the door\b|\bfirst job\b|\bbreak(?:ing)? in\b"), "entry-level junior"),
    # "how do I get into ML?", "best way to start a career in ML": the guides answer with their step-by-step paths
    (re.compile(r"\b(?:how (?:do|can|should|would) (?:i|you|one|someone)|how to|best (?:way|ways|path)|where|what steps)\b"
                r".*\b(?:start|begin|get into|break into|get started|become|enter|(?:get|land|find) (?:a|an|my|the)\b.*"
                r"\b(?:job|role|position|internship))\b"), "steps"),
)


def expand_query(text: str) -> list[str]:
    """Terms of a question: `analyse` plus query-side synonyms of the words and phrasings it contains."""
    raw = _raw_tokens(text)
    extra: list[str] = []
    normalised = " ".join(raw)
    for pattern, synonyms in QUERY_PHRASES:
        if pattern.search(normalised):
            extra.extend(_stem(t) for t in synonyms.split())
    for token in raw:
        written = QUERY_SYNONYMS.get(token)
        if written:
            extra.extend(_stem(t) for t in _canonical(written.split()) if t not in STOPWORDS)
    terms = [_stem(t) for t in _canonical(raw) if t not in STOPWORDS]
    seen = set(terms)
    return terms + [t for t in dict.fromkeys(extra) if t not in seen]


def content_terms(text: str) -> list[str]:
    """The distinct analysed terms of a text (no synonyms): what a question is 'about'."""
    return list(dict.fromkeys(analyse(text)))
