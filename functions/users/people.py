"""Other people: public cards, username search, blocking: /api/users/{id}, /by-username/{name}, /search,
/{id}/block, /me/blocked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.auth import rate_rules
from functions.users import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import blocks, models, profiles
else:
    blocks = lazy_module("shared.domain.accounts.blocks")
    profiles = lazy_module("shared.domain.accounts.profiles")
    models = lazy_models("shared.domain.accounts.models")


@bp.route(route="users/search", methods=["GET"])
@endpoint(summary="Find users by username prefix (never by email)", auth="user", query=models.SearchQuery,
          response=models.UserCardPage, errors=[401, 422, 429], rate_limits=[rate_rules.SEARCH])
async def users_search_users(call: Call) -> models.UserCardPage:
    return await profiles.check_search(call.query.q, limit=call.query.limit, cursor=call.query.cursor)


@bp.route(route="users/by-username/{username}", methods=["GET"])
@endpoint(summary="A user's public card, by username", auth="optional", path=models.UsernamePath,
          response=models.UserCard, errors=[404, 422, 429], rate_limits=[rate_rules.PROFILE_READ])
async def users_get_user_by_username(call: Call) -> models.UserCard:
    return await profiles.check_get_card_by_username(call.path.username)


@bp.route(route="users/me/blocked", methods=["GET"])
@endpoint(summary="The users I blocked, newest first", auth="user", query=models.AccountPageQuery,
          response=models.UserCardPage, errors=[401, 422])
async def users_list_blocked(call: Call) -> models.UserCardPage:
    return await blocks.check_list_blocked(call.user, limit=call.query.limit, cursor=call.query.cursor)


@bp.route(route="users/{user_id}", methods=["GET"])
@endpoint(summary="A user's public card (never the email address)", auth="optional", path=models.UserIdPath,
          response=models.UserCard, errors=[404, 422, 429], rate_limits=[rate_rules.PROFILE_READ])
async def users_get_user(call: Call) -> models.UserCard:
    return await profiles.check_get_card(call.path.user_id)


@bp.route(route="users/{user_id}/block", methods=["POST"])
@endpoint(summary="Block a user", auth="user", path=models.UserIdPath, response=models.UserCard, status=201,
          errors=[401, 403, 404, 422, 429], rate_limits=[rate_rules.BLOCKS], idempotent=True)
async def users_block_user(call: Call) -> models.UserCard:
    return await blocks.check_block(call.user, call.path.user_id)


@bp.route(route="users/{user_id}/block", methods=["DELETE"])
@endpoint(summary="Unblock a user", auth="user", path=models.UserIdPath, status=204, errors=[401, 403, 404, 422, 429],
          rate_limits=[rate_rules.BLOCKS])
async def users_unblock_user(call: Call) -> None:
    await blocks.check_unblock(call.user, call.path.user_id)
