"""`@username` mentions in posts and comments -> one `mention` notification per mentioned user per item.

Exactly once: the notification id is "mention_<item id>" in the user's partition, so processing the same item
again (an edit that keeps the mention, a retry) finds it already there. Nobody is told about something they
could not open: in an invite-only topic only members (and the owner) are notified. Users who blocked the
author are not notified of the author's *named* content. For anonymous content the notification names the alias
and carries no user id, and blocks do not apply: if they did, a user who blocked someone would see that alias
fall silent and learn who is behind it (docs/accounts.md, "Blocks and anonymity").

Cost per item: at most four read_many calls whatever the number of mentions (lookup documents, users, the
recipients' block edges, their memberships in an invite-only topic), then one create per new recipient; at most
MAX_MENTIONS recipients.
"""

from __future__ import annotations

import re

from shared.domain.accounts.documents import block_docs, user_docs, username_docs
from shared.domain.communities.containers import member_id
from shared.domain.communities.documents import TopicDoc, membership_docs
from shared.domain.notifications import service as notifications
from shared.domain.notifications.documents import NotificationData
from shared.domain.notifications.models import Actor

MAX_MENTIONS = 10
EXCERPT = 140

# A username (3-20 letters, digits, "_" or "-", starting and ending alphanumeric) after an "@" that is not part
# of an email address or a longer word.
_MENTION = re.compile(r"(?<![A-Za-z0-9_.@-])@([A-Za-z0-9](?:[A-Za-z0-9_-]{0,18}[A-Za-z0-9])?)(?![A-Za-z0-9])")
_FENCED = re.compile(r"```.*?(?:```|$)|~~~.*?(?:~~~|$)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")


def mentioned_names(markdown: str | None) -> list[str]:
    """Lower-cased usernames mentioned outside code, first occurrence first, at most MAX_MENTIONS."""
    if not markdown:
        return []
    text = _INLINE_CODE.sub(" ", _FENCED.sub(" ", markdown))
    names: list[str] = []
    for match in _MENTION.finditer(text):
        name = match.group(1).lower()
        if len(name) >= 3 and name not in names:
            names.append(name)
            if len(names) == MAX_MENTIONS:
                break
    return names


async def resolve_usernames(names: list[str]) -> dict[str, str]:
    """{user id: username} of the active accounts holding these (lower-cased) usernames."""
    if not names:
        return {}
    lookups = await username_docs.read_many([(name, name) for name in names])
    wanted = {doc["user_id"]: doc["id"] for doc in lookups if doc.get("user_id")}
    if not wanted:
        return {}
    users = await user_docs.read_many([(uid, uid) for uid in wanted])
    # A lookup left by a rename or a crash points at someone who no longer holds the name: skip it.
    return {user["id"]: user.get("username", "") for user in users
            if user.get("username_lower", str(user.get("username", "")).lower()) == wanted[user["id"]]
            and user.get("status", "active") == "active"}


async def not_blocking(author_id: str, candidates: list[str], *, anonymous: bool) -> list[str]:
    """The candidates who have not blocked the author; everyone when the author writes under an alias, so that
    whether someone hears from an alias never depends on who is behind it. One read_many (none when anonymous)."""
    if anonymous or not candidates:
        return list(candidates)
    keys = [(uid, author_id) for uid in candidates]
    blocked = {doc["pk"] for doc in await block_docs.read_many(keys)}
    return [uid for uid in candidates if uid not in blocked]


async def _allowed_recipients(topic: TopicDoc, author_id: str, candidates: list[str], *,
                              anonymous: bool) -> list[str]:
    recipients = await not_blocking(author_id, candidates, anonymous=anonymous)
    if topic.get("visibility") == "private":
        owner = topic.get("owner_id")
        members = await membership_docs.read_many([(topic["id"], member_id(uid)) for uid in recipients])
        member_ids = {doc.get("user_id") or doc["id"].split(":", 1)[-1] for doc in members}
        recipients = [uid for uid in recipients if uid == owner or uid in member_ids]
    return recipients


def excerpt(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


async def notify_mentions(*, topic: TopicDoc, item_id: str, post_id: str, comment_id: str | None,
                          text: str | None, author_id: str, actor: Actor, title: str | None = None) -> list[str]:
    """Creates the mention notifications for one post or comment; returns the user ids notified about it, by this
    call or an earlier one (a relay run again must hand the fan-out the same list to skip)."""
    names = mentioned_names(" ".join(part for part in (title, text) if part))
    found = await resolve_usernames(names)
    candidates = [uid for uid in found if uid != author_id]
    if not candidates:
        return []
    recipients = await _allowed_recipients(topic, author_id, candidates, anonymous=actor.anonymous)
    where = "a comment" if comment_id else "a post"
    data: NotificationData = {"topic_id": topic["id"], "post_id": post_id}
    if comment_id:
        data["comment_id"] = comment_id
    notified = []
    for uid in recipients:
        await notifications.notify(uid, f"mention_{item_id}", "mention",
                                   title=f"{actor.display_name} mentioned you in {where}",
                                   message=excerpt(text or title), data=data, actor=actor)
        notified.append(uid)
    return notified
