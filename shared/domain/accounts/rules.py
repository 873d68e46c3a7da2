"""What a username and an email address may look like, and their normalized forms (the lookup document ids).

Usernames are public identifiers: 3 to 20 ASCII letters, digits, `_` or `-`, starting and ending with a letter or
digit, compared case-insensitively. Emails are compared lower-cased; `/ \\ ? #` are refused because the
normalized address is a document id and Cosmos DB forbids those characters in ids.
"""

from __future__ import annotations

import re

USERNAME_MIN, USERNAME_MAX = 3, 20
USERNAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$"
USERNAME_PREFIX_PATTERN = r"^[A-Za-z0-9_-]+$"
_USERNAME_RE = re.compile(USERNAME_PATTERN)
EMAIL_MAX = 254
_EMAIL_FORBIDDEN = set("/\\?#")
# What the OpenAPI document says of an address beyond `format: email`: the characters above, and the special-use
# domains email-validator refuses (RFC 6761 and friends), in any letter case.
_SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")
EMAIL_SCHEMA_PATTERN = (r"^(?![\s\S]*[@.](?:" + "|".join("".join(f"[{c}{c.upper()}]" for c in name)
                                                         for name in _SPECIAL_USE) + r")\.?$)[^/\\?#]*$")

# Names that would let someone pass as staff or the system, or that collide with route segments.
RESERVED_USERNAMES = frozenset({
    "admin", "administrator", "root", "system", "support", "help", "moderator", "mod", "staff", "official",
    "topicsflow", "security", "api", "me", "self", "search", "by-username", "null", "undefined", "anonymous",
    "deleted", "deleted-user", "everyone", "here", "noreply", "no-reply", "postmaster", "webmaster", "abuse",
})
# A short English/Portuguese list, matched as whole words between separators; the old system had the same idea.
OFFENSIVE_WORDS = frozenset({
    "fuck", "shit", "cunt", "bitch", "asshole", "dick", "pussy", "whore", "slut", "nazi", "hitler",
    "caralho", "porra", "puta", "merda", "foda", "fodase", "cona", "buceta", "viado", "cuzao", "arrombado",
})


def normalize_username(username: str) -> str:
    return username.strip().lower()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def username_problem(username: str) -> str | None:
    """None when acceptable, otherwise a short reason (the field error message)."""
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        return f"Use {USERNAME_MIN} to {USERNAME_MAX} characters."
    if not _USERNAME_RE.match(username):
        return "Use letters, digits, '_' or '-', starting and ending with a letter or digit."
    lowered = username.lower()
    if lowered in RESERVED_USERNAMES:
        return "This username is reserved."
    words = [w for w in re.split(r"[_\-0-9]+", lowered) if w]
    if any(w in OFFENSIVE_WORDS for w in words) or lowered in OFFENSIVE_WORDS:
        return "Choose another username."
    return None


def email_problem(email: str) -> str | None:
    if len(email) > EMAIL_MAX:
        return f"Use at most {EMAIL_MAX} characters."
    if any(ch in _EMAIL_FORBIDDEN for ch in email):
        return "Email addresses with '/', '\\', '?' or '#' are not supported."
    return None


def looks_like_email(identifier: str) -> bool:
    return "@" in identifier
