"""The content filter: refuses, never rewrites. Posts, comments (and chat messages, which call `check_text` the same
way) that contain a blocked word, match a blocked pattern, or that the critical-content check finds (threats of
violence, calls for self-harm, hate against a group) are refused with 422 `content_blocked` and the rule's kind in
`details.rule` (`blocked_word`, `blocked_pattern`, `critical`) and the field in `details.field`; the matched text is
not echoed. What a user wrote is stored exactly as written or not at all (TopicsFlow masked words and collapsed
line breaks; we do neither).

Settings: CONTENT_BLOCKED_WORDS (whole words, any case, after Unicode NFKC folding), CONTENT_BLOCKED_PATTERNS
(regular expressions, case-insensitive; one that does not compile is logged and skipped), CONTENT_CRITICAL_CHECK
(on by default). The critical list is deliberately short and specific (English and Portuguese): a filter that
refuses ordinary speech would be worse than none; everything else goes through reports.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from shared.errors import ValidationFailed
from shared.settings import get_settings

log = logging.getLogger("topicsflow.moderation.filter")

CRITICAL_PATTERNS = (
    r"\bi(?:'m| am)? (?:going to|gonna|will) (?:kill|murder|shoot|stab) (?:you|u|him|her|them)\b",
    r"\b(?:kill|hang) yourself\b",
    r"\bkys\b",
    r"\bgo die\b",
    r"\bdeath to (?:all )?\w+s\b",
    r"\b(?:vou|vamos) te (?:matar|esfaquear)\b",
    r"\bse mata\b",
    r"\bmorte aos? \w+s\b",
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=8)
def _compiled(words: tuple[str, ...], patterns: tuple[str, ...], critical: bool) -> tuple[
        re.Pattern[str] | None, list[re.Pattern[str]], list[re.Pattern[str]]]:
    cleaned = [re.escape(_fold(w).strip()) for w in words if w.strip()]
    word_re = re.compile(r"(?<!\w)(?:" + "|".join(cleaned) + r")(?!\w)") if cleaned else None
    custom: list[re.Pattern[str]] = []
    for pattern in patterns:
        try:
            custom.append(re.compile(pattern, re.IGNORECASE))
        except re.error:
            log.warning("content_blocked_patterns: %r does not compile; skipped", pattern)
    crit = [re.compile(p, re.IGNORECASE) for p in CRITICAL_PATTERNS] if critical else []
    return word_re, custom, crit


def problem(text: str | None) -> str | None:
    """The kind of rule the text breaks, or None."""
    if not text:
        return None
    settings = get_settings()
    word_re, custom, critical = _compiled(tuple(settings.content_blocked_words),
                                          tuple(settings.content_blocked_patterns), settings.content_critical_check)
    folded = _fold(text)
    if word_re is not None and word_re.search(folded):
        return "blocked_word"
    if any(p.search(folded) for p in custom):
        return "blocked_pattern"
    if any(p.search(folded) for p in critical):
        return "critical"
    return None


def check_text(**fields: str | None) -> None:
    """Raises 422 `content_blocked` for the first field that breaks a rule (field names as the request sends them)."""
    for name, text in fields.items():
        rule = problem(text)
        if rule is not None:
            raise ValidationFailed("This cannot be posted: it breaks the site's content rules.",
                                   code="content_blocked", details={"field": f"body.{name}", "rule": rule})
