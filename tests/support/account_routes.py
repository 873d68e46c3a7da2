"""The HTTP routes of the accounts area, read from the app's own function metadata (so a new route is covered by
the authorization and bad-input tests without anyone remembering to list it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.http.endpoint import EndpointSpec

ACCOUNT_MODULES = ("functions.auth.", "functions.users.")


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    template: str  # e.g. "auth/sessions/{session_id}"
    spec: EndpointSpec

    @property
    def params(self) -> list[str]:
        return re.findall(r"{\*?(\w+)", self.template)

    def path(self, **values: str) -> str:
        path = self.template
        for name in self.params:
            path = re.sub(r"{\*?" + name + r"[^}]*}", lambda _m, v=values[name]: v, path)
        return f"/api/{path}"

    def __str__(self) -> str:
        return f"{self.method} /api/{self.template}"


def account_routes() -> list[Route]:
    return app_routes(ACCOUNT_MODULES)


def app_routes(modules: tuple[str, ...] = ("functions.",)) -> list[Route]:
    """Every (method, route) of the app's HTTP functions whose module starts with one of `modules`."""
    import function_app
    from devhost.function_index import FunctionIndex

    routes = []
    for fn in FunctionIndex.from_app(function_app.app).http:
        spec = getattr(fn.user_function, "endpoint_spec", None)
        if spec is None or not fn.user_function.__module__.startswith(modules):
            continue
        for method in fn.trigger.methods or ["GET"]:
            method = getattr(method, "value", method)
            routes.append(Route(fn.name, str(method).upper(), fn.trigger.route, spec))
    return sorted(routes, key=str)


# A valid example of every input model, for tests that need to get past parsing (e.g. to reach the auth check).
SAMPLE_PATH = {"session_id": "0" * 16, "user_id": "0" * 32, "kind": "avatar", "username": "someone",
               "passkey_id": "0" * 64}
SAMPLE_BODY: dict[str, dict[str, Any]] = {
    "RegisterBody": {"username": "sample_user", "email": "sample@example.com", "password": "sunflower-ladder-92"},
    "VerifyEmailBody": {"email": "sample@example.com", "code": "123456"},
    "EmailOnlyBody": {"email": "sample@example.com"},
    "LoginBody": {"identifier": "sample_user", "password": "sunflower-ladder-92"},
    "LoginTwoFactorBody": {"pending_token": "A" * 43, "code": "123456"},
    "ChangePasswordBody": {"current_password": "wrong-password", "new_password": "sunflower-ladder-92"},
    "ResetPasswordBody": {"token": "A" * 43, "new_password": "sunflower-ladder-92"},
    "PasswordConfirmBody": {"password": "wrong-password"},
    "TwoFactorConfirmBody": {"code": "123456"},
    "PasswordAndCodeBody": {"password": "wrong-password", "code": "123456"},
    "ChangeEmailBody": {"password": "wrong-password", "new_email": "new@example.com"},
    "ConfirmEmailChangeBody": {"code": "123456"},
    "DeleteAccountBody": {"password": "wrong-password"},
    "ProfileUpdate": {},
    "PreferencesUpdate": {},
    "ProfileImageUploadBody": {"content_type": "image/png"},
    "ImageConfirmBody": {"upload_id": "0" * 32},
    "BanBody": {"reason": "spam and abuse"},
    "PasskeyRenameBody": {"name": "Laptop"},
    "SetPasswordBody": {"new_password": "sunflower-ladder-92"},
    "PasskeyRegisterOptionsBody": {},
    "PasskeyAuthOptionsBody": {},
    "RegisterPasswordlessBody": {"username": "sample_user", "email": "sample@example.com"},
}
SAMPLE_QUERY: dict[str, dict[str, str]] = {"SearchQuery": {"q": "ab"}, "AccountPageQuery": {}}


def sample_request(route: Route) -> dict[str, Any]:
    """kwargs for httpx's request(): a well-formed request for the route (KeyError for an unknown model)."""
    kwargs: dict[str, Any] = {}
    if route.spec.body is not None:
        kwargs["json"] = SAMPLE_BODY[route.spec.body.__name__]
    if route.spec.query is not None:
        kwargs["params"] = SAMPLE_QUERY[route.spec.query.__name__]
    return kwargs
