"""Communities: topics, membership, moderation, anonymity (this package's F1 part) and posts, comments, votes (F2).

`access.py` is the one place that decides who may see or touch a topic and everything inside it.
"""
