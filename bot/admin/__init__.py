"""Guide administration: moderators' changes to the knowledge (reload, add, remove), rebuilt off the
event loop, undone on disk when refused, audited, and shared with every bot process through the database
(`knowledge_sync`). Below the faces, so any face can offer it; it uses the knowledge store, storage's
guide changes and the community records (the reload audit).
"""
