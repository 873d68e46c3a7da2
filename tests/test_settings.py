import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_local_settings_lists_every_setting_the_app_reads():
    values = json.loads((ROOT / "local.settings.example.json").read_text())["Values"]
    listed = {key.lower() for key in values}
    missing = [name for name in Settings.model_fields if name not in listed]
    assert not missing, f"add these to local.settings.example.json: {missing}"


def test_the_example_values_build_working_embedded_settings(monkeypatch):
    monkeypatch.setenv("LOCAL_SETTINGS_FILE", str(ROOT / "local.settings.example.json"))
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = Settings()
    assert settings.app_stack == "embedded"
    assert settings.queue == "devhost"
    assert settings.cors_origins == ["http://localhost:3000", "http://localhost:5173"]


def test_production_refuses_to_start_with_a_development_secret():
    with pytest.raises(ValidationError, match="development value"):
        Settings(app_env="production")


def test_production_starts_with_real_secrets():
    settings = Settings(app_env="production", secret_key="s" * 48,
                        webpubsub_connection_string="Endpoint=https://x.webpubsub.azure.com;AccessKey=" + "k" * 44)
    assert settings.app_env == "production"


def test_the_environment_overrides_local_settings_json(tmp_path, monkeypatch):
    file = tmp_path / "local.settings.json"
    file.write_text(json.dumps({"Values": {"WEBPUBSUB_HUB": "from-file", "REDIS_KEY_PREFIX": "file:"}}))
    monkeypatch.setenv("LOCAL_SETTINGS_FILE", str(file))
    monkeypatch.setenv("REDIS_KEY_PREFIX", "env:")
    settings = Settings()
    assert settings.webpubsub_hub == "from-file"
    assert settings.redis_key_prefix == "env:"


def test_the_passkey_relying_party_must_cover_its_origins():
    assert Settings(webauthn_rp_id="example.org", webauthn_origins=["https://app.example.org",
                                                                    "https://example.org"]).webauthn_rp_id
    for origins in (["https://example.com"], ["https://notexample.org"], ["example.org"],
                    ["https://app.example.org/login"]):
        with pytest.raises(ValidationError, match="webauthn_origins"):
            Settings(webauthn_rp_id="example.org", webauthn_origins=origins)
    with pytest.raises(ValidationError, match="bare host"):
        Settings(webauthn_rp_id="https://example.org")


def test_production_passkey_origins_must_be_https():
    real = {"secret_key": "s" * 48, "webpubsub_connection_string": "Endpoint=https://x;AccessKey=" + "k" * 44}
    with pytest.raises(ValidationError, match="https in production"):
        Settings(app_env="production", webauthn_rp_id="example.org", webauthn_origins=["http://example.org"], **real)
    Settings(app_env="production", webauthn_rp_id="example.org", webauthn_origins=["https://example.org"], **real)
