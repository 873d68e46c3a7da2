"""The docs page: Swagger UI from the pinned npm package, vendored into the function app, served with a strict
content security policy, and "Try it out" working against a dev host with a Bearer token and with a cookie session
(in a real headless Chromium)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.users import signup

ROOT = Path(__file__).resolve().parents[3]
VENDORED = ROOT / "functions" / "platform" / "swagger_ui"
PACKAGE = ROOT / "node_modules" / "swagger-ui-dist"


def test_the_vendored_swagger_ui_is_the_pinned_package_unchanged():
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["swagger-ui-dist"]
    installed = json.loads((PACKAGE / "package.json").read_text())["version"]
    assert (VENDORED / "VERSION").read_text().strip() == pinned == installed
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"):
        assert (VENDORED / name).read_bytes() == (PACKAGE / name).read_bytes(), \
            f"{name} differs from swagger-ui-dist {pinned}: run `make swagger-ui`"


def test_the_page_runs_only_its_own_scripts_from_this_origin(api):
    page = api.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "<script>" not in page.text and "http" not in page.text.replace("<!doctype html>", "")
    for asset, media_type in (("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css"),
                              ("docs-init.js", "text/javascript")):
        response = api.get(f"/api/docs/assets/{asset}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(media_type), asset
    assert api.get("/api/docs/assets/index.html").status_code == 422  # only the listed files, nothing else


def test_try_it_out_works_in_a_browser_with_a_bearer_token_and_with_a_cookie_session(host):
    bearer = signup(host)
    cookie = signup(host)
    run = subprocess.run(["node", str(Path(__file__).with_name("docs_browser.mjs")), host.url, bearer.token,
                          cookie.username, cookie.password], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["statuses"] == {"bearer GET /api/auth/me": "200", "bearer POST /api/topics": "201",
                                "cookie POST /api/auth/login": "200", "cookie POST /api/topics": "201"}, seen
    cookie_write = [r for r in seen["requests"] if r["method"] == "POST" and r["url"] == "/api/topics"][-1]
    assert cookie_write == {"method": "POST", "url": "/api/topics", "bearer": False, "csrf": True, "cookie": True}
    assert seen["inlineScripts"] == 0
    assert not seen["consoleErrors"], seen["consoleErrors"]  # a CSP refusal would show here
