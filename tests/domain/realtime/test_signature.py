import hashlib
import hmac

from shared.domain.realtime.signature import (
    access_keys_from_connection_string,
    connection_signature,
    signature_header,
    verify_signature,
)

KEY = "primary-key-0123456789abcdef0123456789"
OTHER = "secondary-key-0123456789abcdef01234567"


def test_a_signature_is_the_hex_hmac_sha256_of_the_connection_id_keyed_by_the_access_key():
    expected = hmac.new(KEY.encode(), b"conn-1", hashlib.sha256).hexdigest()
    assert connection_signature("conn-1", KEY) == f"sha256={expected}"


def test_a_header_signed_with_our_key_is_accepted():
    assert verify_signature(signature_header("conn-1", [KEY]), "conn-1", [KEY])


def test_a_header_with_primary_and_secondary_signatures_is_accepted_by_either_key():
    header = signature_header("conn-1", [KEY, OTHER])
    assert header.count("sha256=") == 2
    assert verify_signature(header, "conn-1", [OTHER])
    assert verify_signature(header, "conn-1", [KEY])


def test_hex_in_upper_case_and_spaces_after_commas_are_tolerated():
    header = "sha256=" + "0" * 64 + ", " + connection_signature("conn-1", KEY).upper().replace("SHA256=", "sha256=")
    assert verify_signature(header, "conn-1", [KEY])


def test_a_header_signed_with_another_key_is_refused():
    assert not verify_signature(signature_header("conn-1", [OTHER]), "conn-1", [KEY])


def test_a_signature_for_another_connection_is_refused():
    assert not verify_signature(signature_header("conn-2", [KEY]), "conn-1", [KEY])


def test_a_missing_header_or_connection_id_is_refused():
    assert not verify_signature(None, "conn-1", [KEY])
    assert not verify_signature("", "conn-1", [KEY])
    assert not verify_signature(signature_header("conn-1", [KEY]), None, [KEY])


def test_a_header_with_non_ascii_characters_is_refused_rather_than_raising():
    assert not verify_signature("sha256=\u00e9\u00e9", "conn-1", [KEY])


def test_no_keys_means_nothing_verifies():
    assert not verify_signature(signature_header("conn-1", [KEY]), "conn-1", [])


def test_the_access_key_is_read_from_a_connection_string_even_when_it_ends_in_base64_padding():
    cs = "Endpoint=https://x.webpubsub.azure.com;AccessKey=abc+/def==;Version=1.0;"
    assert access_keys_from_connection_string(cs) == ["abc+/def=="]
    assert access_keys_from_connection_string("Endpoint=http://localhost:7071;Version=1.0;") == []
