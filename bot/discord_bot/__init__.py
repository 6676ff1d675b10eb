"""The Discord adapter: a thin layer of cogs, views and embeds over the domain services.

`create_bot(settings)` (also `from bot import create_bot`) builds the configured bot without touching the
network; `runner.run(settings)` starts it and `runner.sync(settings, guild_id)` syncs its commands.
"""
