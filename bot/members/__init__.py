"""Member services: goals, roadmap progress and the reading list, privacy (export and delete), and the
community records (answer log and votes, unanswered questions, server settings, reload audit).

Each keeps its rows through `bot.storage`; they use the pure core for what the rows mean.
"""
