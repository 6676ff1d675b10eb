"""Discord extensions, one per area; each module has `async def setup(bot)` and no domain logic."""
