"""Search: turning text into index terms (analysis, language), the BM25 index and its saved copy.

Pure: no I/O but the saved index's files, and nothing of ours below it.
"""
