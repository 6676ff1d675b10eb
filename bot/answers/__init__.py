"""Answers: reading a member's message, ranking passages, deciding whether the guides cover it,
composing the reply, and measuring all of that on labelled questions (evaluation).

Pure; imports `bot.errors`, `bot.search` and `bot.knowledge`.
"""
