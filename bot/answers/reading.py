"""Reading a member's message: what is being asked, what is only context, and what is small talk.

Real messages bury the question: a greeting, three sentences about the asker, then the question (or two),
then "thanks in advance". `read_message` splits the message into sentences and gives each a weight for
the search query:

- greetings, thanks and sign-offs: 0 (no query weight at all);
- question sentences (ending in "?", or opening with a question word or a request such as "I'd love to
  see", "any advice"): 1;
- everything else is context: `CONTEXT_WEIGHT`, so facts that matter ("I have a PhD in physics") still
  count, but less than what is asked.

A short question that leans on the sentence before it ("Is that true?", "But how?") takes its subject
from that sentence, which then weighs as a question. A message with no question sentence at all (a
title such as "Breaking into ML without a Master's degree") is read as one question. Small talk is a
message whose every sentence is a greeting, thanks or filler: no query at all. Code blocks, links and
Discord's markup (mentions, channels, custom emoji) are not read at all: they are not what is asked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.search.analysis import content_terms

CONTEXT_WEIGHT = 0.6
SHORT_QUESTION_TERMS = 2  # a question sentence with at most this many content terms leans on the one before

_SPLIT = re.compile(r"(?<=[.!?…])[\"”’)]*\s+|\n+|(?<=\?)(?=\S)")
_QUESTION_START = re.compile(
    r"^(?:so|and|but|or|also|then|now|like|ok|okay|well|basically|honestly|guys|hi|hey)?[,\s]*"
    r"(?:how|what|whats|what's|which|why|when|where|who|whom|whose|is|are|am|was|were|do|does|did|should|"
    r"shall|can|could|would|will|may|might|must|any|anyone|anybody|has|have|had|isn't|aren't|don't|"
    r"doesn't|shouldn't|can't|won't|wouldn't)\b", re.I)
_REQUEST = re.compile(
    r"\b(?:i(?:'d| would) (?:like|love) (?:to )?(?:know|see|get|hear|learn|understand)|i want to know|"
    r"i(?:'m| am) (?:curious|wondering|confused|confuse)|i wonder|(?:want|need|looking for|seeking|"
    r"like some|love some|appreciate (?:any|some)) (?:some )?(?:advice|guidance|tips|help|suggestions|"
    r"recommendations?)|any (?:advice|tips|suggestions|recommendations|resources|ideas)|"
    r"please (?:help|advise|suggest)|my question is|(?:advice|tips|suggestions) (?:on|for|about))\b", re.I)
_SMALL_TALK = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|yo|greetings|good (?:morning|afternoon|evening|day)|happy \w+|thanks?|"
    r"thank you|thx|ty|cheers|regards|best|kind regards|ok|okay|oh|ah|cool|nice|great|awesome|got it|"
    r"i see|makes sense|sure|yes|yeah|yep|no|nope|lol|haha|bye|see you|sir|all|everyone|everybody|guys|"
    r"folks|friends|bro|man|again|so much|a lot|in advance|very much|anyone here|is anyone here|"
    r"anybody here|any one here|you there|are you there|test|testing|ping|appreciate it|much appreciated|"
    r"will do|that helps|this helps|that helped|perfect|understood|noted|gotcha|as the title says|"
    r"edit|update|tldr|tl;dr)[\s,.!?:;)(\-]*)+$", re.I)


@dataclass(frozen=True)
class Sentence:
    text: str
    weight: float
    kind: str  # "question", "context" or "small talk"


@dataclass(frozen=True)
class Reading:
    text: str
    sentences: tuple[Sentence, ...]

    @property
    def small_talk(self) -> bool:
        return all(s.kind == "small talk" for s in self.sentences)

    @property
    def questions(self) -> list[str]:
        return [s.text for s in self.sentences if s.kind == "question"]

    @property
    def focus(self) -> str:
        """The text of what is asked (question sentences, with the subject a short question leans on)."""
        return " ".join(s.text for s in self.sentences if s.weight >= 1.0)

    def weighted(self) -> list[tuple[str, float]]:
        return [(s.text, s.weight) for s in self.sentences if s.weight > 0]


# What a chat message carries that is not what is asked: code blocks, links, and Discord's markup for
# mentions, channels and custom emoji ("<@123>", "<#456>", "<:party:789>"). A pasted link's words
# ("example", "com", "post") would otherwise be searched for.
_NOT_ASKED = re.compile(
    r"```.*?(?:```|$)|\bhttps?://\S+|\bwww\.\S+|<(?:@[!&]?|#|a?:\w+:)\d+>|@(?:everyone|here)\b", re.S | re.I)


def without_markup(text: str) -> str:
    return _NOT_ASKED.sub(" ", text)


def split_message(text: str) -> list[str]:
    parts = [p.strip(" \t-–—•*>") for p in _SPLIT.split(without_markup(text))]
    return [p for p in parts if p and re.search(r"[^\W_]", p)]


def _strip_small_talk(sentence: str) -> str:
    """The sentence without a leading greeting ("Hi everyone, ...") or trailing thanks."""
    text = re.sub(r"^(?:(?:hi|hello|hey|good (?:morning|afternoon|evening|day)|dear)\b[\w\s]{0,20}?[,!.:]\s*)+",
                  "", sentence, flags=re.I)
    text = re.sub(r"[,.!\s]*(?:thanks|thank you|thx|cheers)(?: (?:in advance|a lot|so much|all|everyone))?[.!\s]*$",
                  "", text, flags=re.I)
    return text.strip() or sentence


def is_small_talk(sentence: str) -> bool:
    return bool(_SMALL_TALK.match(sentence.strip())) or not content_terms(sentence)


def is_question(sentence: str) -> bool:
    s = sentence.strip()
    return s.endswith("?") or bool(_QUESTION_START.match(s)) or bool(_REQUEST.search(s))


def read_message(text: str) -> Reading:
    parts = split_message(text)
    kinds: list[str] = []
    texts: list[str] = []
    for part in parts:
        if is_small_talk(part):
            kinds.append("small talk")
            texts.append(part)
            continue
        part = _strip_small_talk(part)
        texts.append(part)
        kinds.append("question" if is_question(part) else "context")
    if "question" not in kinds:  # a title or a statement: read the whole as what is asked
        kinds = ["question" if k == "context" else k for k in kinds]
    weights = [1.0 if k == "question" else CONTEXT_WEIGHT if k == "context" else 0.0 for k in kinds]
    for i, kind in enumerate(kinds):
        if kind == "question" and len(content_terms(texts[i])) <= SHORT_QUESTION_TERMS:
            j = i - 1
            while j >= 0 and kinds[j] == "small talk":
                j -= 1
            if j >= 0:
                weights[j] = 1.0  # "Is that true?": the subject is in the sentence before
    sentences = tuple(Sentence(t, w, k) for t, w, k in zip(texts, weights, kinds))
    return Reading(text, sentences or (Sentence(text, 0.0, "small talk"),))


_FOLLOW_UP_START = re.compile(
    r"^(?:and|but|also|or|so|then|plus|what about|how about|what if|and if|without|with|instead|same)\b", re.I)
MAX_FOLLOW_UP_TERMS = 3


def is_follow_up(text: str) -> bool:
    """Does this message lean on the one before ("and without a degree?", "what about a PhD?")?"""
    text = text.strip()
    return bool(_FOLLOW_UP_START.match(text)) or len(content_terms(text)) <= MAX_FOLLOW_UP_TERMS


def read_follow_up(previous: str, text: str) -> Reading:
    """A follow-up read in the light of the earlier question: the earlier question's sentences become
    context (they say what the conversation is about), the follow-up's are what is asked."""
    earlier = read_message(previous)
    now = read_message(text)
    if now.small_talk:
        return now
    context = tuple(Sentence(s.text, min(s.weight, CONTEXT_WEIGHT), "context" if s.weight else s.kind)
                    for s in earlier.sentences)
    return Reading(text, context + now.sentences)


def without(reading: Reading, text: str) -> Reading:
    """The reading with one of its sentences no longer weighed (a part that is answered apart, or not)."""
    return Reading(reading.text, tuple(Sentence(s.text, 0.0, "small talk") if s.text == text else s
                                       for s in reading.sentences))
