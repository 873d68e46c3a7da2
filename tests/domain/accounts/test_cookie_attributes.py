"""Cookie attributes over HTTPS (the API tests run on plain http, where browsers refuse __Host- cookies)."""

from shared.settings import get_settings


def test_over_https_the_cookies_take_the_host_prefix_and_the_secure_flag(monkeypatch):
    from functions.auth import cookies

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://topicsflow.example")
    get_settings.cache_clear()
    try:
        session = cookies.session_cookie("t0ken", 3600)
        device = cookies.device_cookie("d3vice")
    finally:
        get_settings.cache_clear()
    assert session.startswith("__Host-session=t0ken;") and "Secure" in session and "Path=/" in session
    assert "Domain" not in session and "HttpOnly" in session
    assert device.startswith("__Host-device=d3vice;") and "Secure" in device and "Path=/" in device
