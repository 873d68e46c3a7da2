"""Notifications: one document per notification in the user's partition, expiring after a time to live.

`service.py` creates them (exactly once per cause, by deterministic id) and serves the /api/notifications routes.
"""
