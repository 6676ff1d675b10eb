"""Only `search.py` remains here, while a change for search speed is under way in it; everything else
moved to `bot.search`, `bot.knowledge`, `bot.answers` and `bot.members`. Import the index from
`bot.search.index`.
"""
