import re
from pathlib import Path

import function_app
from devhost.function_index import FunctionIndex

INFRA = Path(__file__).resolve().parents[1] / "infra"


def bicep_list(path: Path, param: str) -> set[str]:
    text = path.read_text()
    block = re.search(rf"param {param} array = \[(.*?)\]", text, re.S)
    assert block, f"{param} not found in {path.name}"
    return set(re.findall(r"'([a-z0-9_-]+)'", block.group(1)))


def test_every_queue_a_function_listens_on_is_declared_in_the_service_bus_bicep():
    listened = set(FunctionIndex.from_app(function_app.app).service_bus)
    declared = bicep_list(INFRA / "app" / "servicebus.bicep", "queues")
    assert listened <= declared, f"declare these queues in infra/app/servicebus.bicep: {sorted(listened - declared)}"


def test_the_queues_dead_letter_after_the_same_delivery_count_as_the_local_stand_in():
    from shared.settings import Settings

    text = (INFRA / "app" / "servicebus.bicep").read_text()
    assert f"param maxDeliveryCount int = {Settings().queue_max_delivery_count}" in text
    assert "requiresDuplicateDetection: true" in text


def test_the_accounts_containers_passkeys_included_are_declared_in_the_cosmos_bicep():
    from shared.domain.accounts import passkey_store, store

    declared = bicep_list(INFRA / "app" / "cosmos.bicep", "containers")
    used = {store.USERS, store.CREDENTIALS, store.USERNAMES, store.EMAILS, store.BLOCKS, passkey_store.PASSKEYS,
            passkey_store.PASSKEY_IDS}
    assert used <= declared, f"declare these containers in infra/app/cosmos.bicep: {sorted(used - declared)}"


def test_the_call_container_is_declared_and_the_turn_secret_comes_from_key_vault():
    from shared.domain.voip.documents import CALLS

    assert CALLS in bicep_list(INFRA / "app" / "cosmos.bicep", "containers")
    main = (INFRA / "main.bicep").read_text()
    # The secret coturn shares with the app is a Key Vault reference, never a parameter or a literal.
    assert "VOIP_TURN_SECRET: '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=turn-static-auth-secret)'" \
        in main
    assert "VOIP_TURN_URLS: string(voipTurnUrls)" in main and "param voipTurnUrls array = []" in main
