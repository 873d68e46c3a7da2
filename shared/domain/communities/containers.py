"""Names of the containers this package owns and the ids of the documents inside them (docs/data-model.md).

topics        pk = id = topic id                       the topic itself, with its counters
topic_titles  pk = id = "t_" + sha256(normalised title) lookup document that makes titles unique without a race
memberships   pk = topic id                            edges: "member:<uid>", "ban:<uid>", "mute:<uid>",
                                                       "request:<uid>" (join request); field `kind`
user_topics   pk = user id, id = topic id              the user-side mirror of "member:<uid>" (my topics, feeds)
invitations   pk = invitee user id, id = "inv_<topic id>"  one invitation per user and topic
aliases       pk = topic id                            "user:<uid>" -> alias, "name:<lowercase alias>" -> owner
"""

from __future__ import annotations

TOPICS = "topics"
TOPIC_TITLES = "topic_titles"
MEMBERSHIPS = "memberships"
USER_TOPICS = "user_topics"
INVITATIONS = "invitations"
ALIASES = "aliases"
USERS = "users"  # owned by accounts: pk = id = user id, field `username`


def member_id(user_id: str) -> str:
    return f"member:{user_id}"


def ban_id(user_id: str) -> str:
    return f"ban:{user_id}"


def mute_id(user_id: str) -> str:
    return f"mute:{user_id}"


def request_id(user_id: str) -> str:
    return f"request:{user_id}"


def invitation_id(topic_id: str) -> str:
    return f"inv_{topic_id}"


def alias_user_id(user_id: str) -> str:
    return f"user:{user_id}"


def alias_name_id(name: str) -> str:
    return f"name:{name.casefold()}"
