"""Moderation and administration: the audit log, reports and the actions they lead to, warnings, support
tickets, the administrators' statistics and the content filter (docs/moderation.md)."""
