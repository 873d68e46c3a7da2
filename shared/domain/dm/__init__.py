"""Direct messages (issue 10): one conversation per pair of users (and per self-conversation), whose messages
are chat messages (shared/domain/chat/messages.py) behind a pair's access gate; presence and typing."""
