"""Knowledge: the guides (files, sections, passages), the roadmap, a member's standing on it, and the
store that builds, checks and swaps a snapshot of them; `files` adds and removes guide files with undo.

Pure but for reading and writing the knowledge folder; imports only `bot.errors` and `bot.search`.
"""
