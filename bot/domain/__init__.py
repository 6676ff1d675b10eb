"""Discord-free domain: guides, search, answers, roadmap, progress. Nothing here imports discord."""
