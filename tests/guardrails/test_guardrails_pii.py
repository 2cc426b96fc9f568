"""PII and secret detection/redaction: positives with checksums, and the look-alikes."""

from __future__ import annotations

import pytest

from gemma_agents.guardrails import GuardContext, GuardrailPipeline, PiiGuard, find_pii, redact
from gemma_agents.guardrails.pii import ALL_KINDS, iban_valid, luhn_valid

CTX = GuardContext()


def kinds(text: str, which: tuple[str, ...] = ALL_KINDS) -> list[str]:
    return [m.kind for m in find_pii(text, which)]


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "5500005555555559",
        "378282246310005",
        "6011 0009 9013 9424",
    ],
)
def test_luhn_valid_cards_are_found(card: str) -> None:
    assert kinds(f"pay with {card} please") == ["card"]


@pytest.mark.parametrize(
    "text",
    [
        "order 4111 1111 1111 1112 shipped",  # Luhn-invalid
        "tracking 1234567890123",  # Luhn-invalid 13 digits
        "the sum 0000 0000 0000 0000",  # repeated digit
        "phone 12 345 6789 0123 45",  # inconsistent grouping
    ],
)
def test_card_lookalikes_are_not_cards(text: str) -> None:
    assert "card" not in kinds(text)


def test_luhn_and_iban_checks() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")
    assert iban_valid("GB82 WEST 1234 5698 7654 32")
    assert iban_valid("DE89370400440532013000")
    assert not iban_valid("GB82 WEST 1234 5698 7654 33")
    assert kinds("IBAN: DE89 3704 0044 0532 0130 00.") == ["iban"]
    assert kinds("ref GB00 WEST 1234 5698 7654 32") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me at +44 20 7946 0958", ["phone"]),
        ("+14155552671", ["phone"]),
        ("US office: (415) 555-2671", ["phone"]),
        ("desk 415-555-2671", ["phone"]),
        ("portable 06 12 34 56 78", ["phone"]),
        ("London 020 7946 0958", ["phone"]),
        ("pi is about 355/113", []),
        ("in 2024 and 1999 we grew", []),
        ("version 1.2.3.4 released 2024-01-15", []),
        ("the score was 3-1", []),
        ("ISBN 978-0-13-468599-1", []),
        ("order number 12345", []),
    ],
)
def test_phone_numbers(text: str, expected: list[str]) -> None:
    assert kinds(text, ("phone",)) == expected


def test_emails_ssn_nino() -> None:
    assert kinds("mail jane.doe+tag@example.co.uk now", ("email",)) == ["email"]
    assert kinds("not an email: a@b", ("email",)) == []
    assert kinds("SSN 123-45-6789", ("ssn",)) == ["ssn"]
    for bad in ("000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000"):
        assert kinds(f"SSN {bad}", ("ssn",)) == [], bad
    assert kinds("NI number AB 12 34 56 C", ("nino",)) == ["nino"]
    assert kinds("code GB 12 34 56 A", ("nino",)) == []  # GB prefix is never issued


@pytest.mark.parametrize(
    ("secret", "kind"),
    [
        ("sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0", "api_key"),
        ("sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1w", "api_key"),
        ("ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "api_key"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv", "api_key"),
        ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "api_key"),
        ("AKIAIOSFODNN7EXAMPLE", "api_key"),
        ("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "api_key"),
        ("glpat-Ab3dEf6hIj9kLm2nOp5q", "api_key"),
        ("hf_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0ab", "api_key"),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "jwt",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----",
            "private_key",
        ),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA", "private_key"),
    ],
)
def test_secrets_are_found(secret: str, kind: str) -> None:
    found = find_pii(f"here: {secret} thanks")
    assert [m.kind for m in found] == [kind]
    assert found[0].value.startswith(secret[:12])


def test_password_assignment_and_high_entropy() -> None:
    out = redact("db password: hunter2xyz and API_KEY=abc123def456")
    assert out == "db password: [REDACTED:PASSWORD] and API_KEY=[REDACTED:PASSWORD]"
    assert kinds("token Zx8Qp2Lm9Rt4Vb7Nc1Kd5Hs3 here", ("high_entropy",)) == ["high_entropy"]
    # hashes, UUID-ish hex and long plain identifiers are not secrets
    assert kinds("commit 3f9a2c4e1b7d8f0a6c5e4d3b2a1f0e9d8c7b6a5f", ("high_entropy",)) == []
    assert kinds("use getUserAccountSettingsById in the service", ("high_entropy",)) == []


def test_redact_is_the_memory_redactor() -> None:
    text = "card 4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE, mail bob@example.com"
    assert redact(text) == "card [REDACTED:CARD], key [REDACTED:API_KEY], mail bob@example.com"
    assert redact(text, ALL_KINDS).endswith("mail [REDACTED:EMAIL]")


def test_guard_redacts_on_input_and_output_and_reasons_hide_values() -> None:
    guard = PiiGuard()
    d = guard.check_input("my card 4111 1111 1111 1111", CTX)
    assert d is not None and d.action == "modify"
    assert d.text == "my card [REDACTED:CARD]"
    assert d.reasons == ("found 1 card",)
    assert "4111" not in repr(d.reasons)
    out = guard.check_output("use sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0", CTX)
    assert out is not None and out.text == "use [REDACTED:API_KEY]"
    assert guard.check_input("nothing to see here", CTX) is None


def test_per_kind_block_and_allow_actions() -> None:
    guard = PiiGuard(kinds=ALL_KINDS, actions={"private_key": "block", "email": "allow"})
    d = guard.check_input("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", CTX)
    assert d is not None and d.action == "block" and "private_key" in (d.message or "")
    assert "MIIE" not in (d.text or "")  # even a block carries the redacted text
    e = guard.check_input("write to bob@example.com", CTX)
    assert e is not None and e.action == "allow" and e.reasons == ("found 1 email",)


def test_pipeline_integration_and_bad_config() -> None:
    d = GuardrailPipeline([PiiGuard()]).check_input("IBAN DE89370400440532013000")
    assert d.action == "modify" and d.text == "IBAN [REDACTED:IBAN]"
    with pytest.raises(ValueError, match="unknown PII kinds"):
        PiiGuard(kinds=["card", "dna"])
    with pytest.raises(ValueError):
        PiiGuard(action="shred")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        find_pii("x", ["nope"])
