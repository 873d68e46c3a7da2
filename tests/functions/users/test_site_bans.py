"""Site bans by administrators end the user's sessions at once; administrators come only from the command line."""

from tests.support.users import login, ok, signup


def test_an_admin_ban_ends_every_session_and_refuses_logins_until_lifted(host, api):
    admin, user = signup(host, admin=True), signup(host)
    second = ok(login(host, user.username, user.password))["token"]
    banned = ok(api.post(f"/api/admin/users/{user.id}/ban", json={"reason": "spam links"}, headers=admin.headers))
    assert banned == {"user_id": user.id, "banned": True, "sessions_ended": 2}
    assert api.get("/api/auth/me", headers=user.headers).status_code == 401
    assert api.get("/api/auth/me", headers={"Authorization": f"Bearer {second}"}).status_code == 401
    refused = login(host, user.username, user.password)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "account_banned"
    assert api.get(f"/api/users/{user.id}").status_code == 404

    ok(api.delete(f"/api/admin/users/{user.id}/ban", headers=admin.headers))
    ok(login(host, user.username, user.password))


def test_administrators_cannot_be_banned_and_strangers_cannot_ban(host, api):
    admin, other_admin, user = signup(host, admin=True), signup(host, admin=True), signup(host)
    assert api.post(f"/api/admin/users/{other_admin.id}/ban", json={"reason": "coup attempt"},
                    headers=admin.headers).status_code == 403
    assert api.post(f"/api/admin/users/{admin.id}/ban", json={"reason": "oops"}, headers=admin.headers).status_code \
        == 403
    assert api.post(f"/api/admin/users/{admin.id}/ban", json={"reason": "revenge"}, headers=user.headers).status_code \
        == 403
    assert api.post(f"/api/admin/users/{'d' * 32}/ban", json={"reason": "nobody"}, headers=admin.headers).status_code \
        == 404
    assert ok(api.get("/api/auth/me", headers=admin.headers))["user"]["is_admin"] is True


def test_a_ban_also_closes_the_users_realtime_connections(host, api):
    import asyncio

    from tests.devhost.hub_support import JSON, connect_raw

    admin, user = signup(host, admin=True), signup(host)
    url = ok(api.post("/api/realtime/negotiate", headers=user.headers))["url"]

    async def banned_while_connected() -> list:
        client = await connect_raw(url, JSON)
        await asyncio.to_thread(lambda: ok(api.post(f"/api/admin/users/{user.id}/ban", json={"reason": "spam"},
                                                    headers=admin.headers)))
        frames = []
        try:
            while True:
                frames.append(await client.next(timeout=10))
        except Exception as ended:  # the server closed the socket
            assert not isinstance(ended, TimeoutError), frames
        return frames

    frames = asyncio.run(banned_while_connected())
    assert not frames or frames[-1].get("event") == "disconnected"
