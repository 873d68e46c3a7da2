"""What can be reported: a registry of target kinds. Each kind says how to find the target's place and author (from
the target id alone, on the server, never from the client), whether the reporter may see it, and how to remove it.

    post, comment          place topic:<id>; removal = the moderators' removal (state "removed", with the reason)
    user                   place site (administrators); nothing to remove: warn or ban
    profile_image          place site; removal deletes the user's avatar

Chat registers its kinds in one line each when it lands, by dotted path so nothing here imports chat:

    TARGET_KINDS["chat_message"] = "shared.domain.chat.report_targets:MESSAGE"

A kind object has `name`, `remove_permission` (the place permission a moderator needs to remove; None: nothing to
remove), `locate(target_id, reporter)` and `remove(principal, located, reason, report_id)`; `remove` writes its
own audit entry (with the report id) and answers False when the content was already gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared.domain.identity import Principal
from shared.domain.moderation import audit_log
from shared.domain.moderation.places import SITE_PLACE, Place
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.lazy import import_target


@dataclass(frozen=True)
class Located:
    kind: str
    target_id: str
    place: Place
    author_id: str | None  # never shown to clients (anonymous content stays anonymous)
    excerpt: str | None
    post_id: str | None = None
    counter: tuple[str, str, str] | None = None  # (container, pk, id) whose report_count follows the reports


class TargetKind(Protocol):
    name: str
    remove_permission: str | None

    async def locate(self, target_id: str, reporter: Principal | None) -> Located:
        """The target, or NotFound; with a reporter, only what the reporter may see (else NotFound) and still up."""
        ...

    async def remove(self, principal: Principal, located: Located, reason: str, report_id: str | None) -> bool: ...


class PostTarget:
    name = "post"
    remove_permission: str | None = "manage_posts"

    async def locate(self, target_id: str, reporter: Principal | None) -> Located:
        from shared.domain.communities.content_ids import POSTS, topic_of_post
        from shared.domain.communities.mentions import excerpt
        from shared.domain.communities.post_views import load_post, read_post, require_active

        if reporter is not None:
            _access, post = await load_post(reporter, target_id)
            require_active(post)
        else:
            post = await read_post(topic_of_post(target_id), target_id)
        return Located(kind=self.name, target_id=target_id, place=Place("topic", post["topic_id"]),
                       author_id=post.get("author_id"), excerpt=excerpt(post.get("title") or post.get("content")),
                       post_id=post["id"], counter=(POSTS, post["topic_id"], post["id"]))

    async def remove(self, principal: Principal, located: Located, reason: str, report_id: str | None) -> bool:
        from shared.domain.communities.post_moderation import audit_post, do_remove
        from shared.domain.communities.post_views import read_post

        post = await read_post(located.place.id or "", located.target_id)
        if post.get("state") == "removed":
            return False
        await do_remove(post, principal, reason)
        await audit_post(principal, "post.remove", post, reason, report_id=report_id)
        return True


class CommentTarget:
    name = "comment"
    remove_permission: str | None = "manage_comments"

    async def locate(self, target_id: str, reporter: Principal | None) -> Located:
        from shared.domain.communities.comments import load_comment, read_comment
        from shared.domain.communities.content_ids import COMMENTS, post_of_comment
        from shared.domain.communities.mentions import excerpt

        if reporter is not None:
            _access, _post, comment = await load_comment(reporter, target_id)
            if comment.get("state") != "visible":
                raise Conflict("This comment was deleted or removed.", code="comment_not_active")
        else:
            comment = await read_comment(post_of_comment(target_id), target_id)
        return Located(kind=self.name, target_id=target_id, place=Place("topic", comment["topic_id"]),
                       author_id=comment.get("author_id"), excerpt=excerpt(comment.get("content")),
                       post_id=comment["post_id"], counter=(COMMENTS, comment["post_id"], comment["id"]))

    async def remove(self, principal: Principal, located: Located, reason: str, report_id: str | None) -> bool:
        from shared.domain.communities.comments import audit_comment, do_remove, read_comment

        comment = await read_comment(located.post_id or "", located.target_id)
        if comment.get("state") == "removed":
            return False
        await do_remove(comment, principal, reason)
        await audit_comment(principal, "comment.remove", comment, reason, report_id=report_id)
        return True


class UserTarget:
    name = "user"
    remove_permission: str | None = None

    async def locate(self, target_id: str, reporter: Principal | None) -> Located:
        from shared.domain.accounts.access import access_user_profile

        user = await access_user_profile(target_id)
        return Located(kind=self.name, target_id=target_id, place=SITE_PLACE, author_id=user["id"],
                       excerpt=user.get("username"))

    async def remove(self, principal: Principal, located: Located, reason: str, report_id: str | None) -> bool:
        raise Conflict("A user is not content: warn or ban them instead.", code="nothing_to_remove")


class ProfileImageTarget:
    name = "profile_image"
    remove_permission: str | None = "remove_profile_images"  # administrators only: nobody else moderates the site

    async def locate(self, target_id: str, reporter: Principal | None) -> Located:
        from shared.domain.accounts.access import access_user_profile

        user = await access_user_profile(target_id)
        if reporter is not None and not user.get("avatar"):
            raise NotFound("This user has no profile image.", code="image_not_found")
        return Located(kind=self.name, target_id=target_id, place=SITE_PLACE, author_id=user["id"],
                       excerpt=user.get("username"))

    async def remove(self, principal: Principal, located: Located, reason: str, report_id: str | None) -> bool:
        from shared.domain.accounts.profiles import do_remove_image

        removed = await do_remove_image(located.target_id)
        if removed:
            await audit_log.record(principal, "profile_image.remove", place=SITE_PLACE, target_kind=self.name,
                                   target_id=located.target_id, target_user_id=located.target_id, reason=reason,
                                   report_id=report_id)
        return removed


TARGET_KINDS: dict[str, TargetKind | str] = {
    "post": PostTarget(), "comment": CommentTarget(), "user": UserTarget(), "profile_image": ProfileImageTarget()}


def target_kind(name: str) -> TargetKind:
    entry = TARGET_KINDS.get(name)
    if entry is None:
        raise ValidationFailed("This kind of thing cannot be reported.", code="unknown_report_kind",
                               details={"kinds": sorted(TARGET_KINDS)})
    if isinstance(entry, str):
        entry = import_target(entry)
        TARGET_KINDS[name] = entry
    return entry
