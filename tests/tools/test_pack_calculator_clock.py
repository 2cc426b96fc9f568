"""The calculator and clock packs."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gemma_agents.tools import ToolInputError


def calc(packs: dict[str, ModuleType], expression: str) -> str:
    return str(packs["calculator"].calculator.run({"expression": expression}))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("355/113", "3.1415929203539825"),
        ("2 + 3 * 4", "14"),
        ("(2 + 3) * 4", "20"),
        ("2 ** 10", "1024"),
        ("2^10", "1024"),
        ("-3 ** 2", "-9"),
        ("7 // 2", "3"),
        ("7 % 4", "3"),
        ("10 / 4", "2.5"),
        ("sqrt(16)", "4"),
        ("sqrt(2) * sqrt(2)", "2.0000000000000004"),
        ("log(e)", "1"),
        ("log(8, 2)", "3"),
        ("round(pi, 3)", "3.142"),
        ("max(3, 9, 4) - min(3, 9, 4)", "6"),
        ("factorial(20)", "2432902008176640000"),
        ("12 × 3 ÷ 4 − 1", "8"),
        ("2 ** 0.5", "1.4142135623730951"),
        ("10 ** 100 // 10 ** 98", "100"),
    ],
)
def test_calculator_evaluates(packs: dict[str, ModuleType], expression: str, expected: str) -> None:
    assert calc(packs, expression) == expected


@pytest.mark.parametrize(
    ("expression", "needle"),
    [
        ("1 / 0", "division by zero"),
        ("5 % 0", "division by zero"),
        ("2 ** 100000", "more than 1000 digits"),
        ("9 ** 9 ** 9", "more than 1000 digits"),
        ("10 ** 999 * 10 ** 999", "more than 1000 digits"),
        ("factorial(100000)", "too large"),
        ("1e308 * 10", "too large"),
        ("sqrt(-1)", "math domain error"),
        ("(-8) ** 0.5", "complex"),
        ("__import__('os').system('id')", "unknown function"),
        ("().__class__", "not arithmetic"),
        ("x + 1", "unknown name 'x'"),
        ("'a' * 3", "is not a number"),
        ("True + 1", "is not a number"),
        ("lambda: 1", "not arithmetic"),
        ("[1, 2]", "not arithmetic"),
        ("sqrt(x=4)", "positional arguments only"),
        ("2 +", "cannot parse"),
        ("", "empty"),
        ("1+" * 300 + "1", "longer than 500"),
        ("1 << 2", "not supported"),
    ],
)
def test_calculator_refuses_with_clear_errors(
    packs: dict[str, ModuleType], expression: str, needle: str
) -> None:
    with pytest.raises(ToolInputError) as info:
        calc(packs, expression)
    assert needle in str(info.value)
    assert info.value.tool == "calculator"


def test_calculator_refuses_huge_work_quickly(packs: dict[str, ModuleType]) -> None:
    started = time.perf_counter()
    for expression in ("9**9**9**9", "2**2**2**2**2**2", "factorial(10**9)", "10**10**10"):
        with pytest.raises(ToolInputError):
            calc(packs, expression)
    assert time.perf_counter() - started < 1.0


@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
def test_calculator_matches_python_on_integer_arithmetic(a: int, b: int) -> None:
    from gemma_agents.tools import load_pack

    evaluate = load_pack("calculator").evaluate
    assert evaluate(f"{a} + {b}") == a + b
    assert evaluate(f"{a} * ({b})") == a * b
    assert evaluate(f"{a} - ({b})") == a - b
    if b:
        assert evaluate(f"{a} // ({b})") == a // b


# -- clock -------------------------------------------------------------------------------------


def run(packs: dict[str, ModuleType], name: str, **arguments: object) -> str:
    tools = {t.name: t for t in packs["clock"].pack_tools()}
    return str(tools[name].run(dict(arguments)))


def test_clock_now_in_a_zone(packs: dict[str, ModuleType]) -> None:
    text = run(packs, "clock.now", timezone="Asia/Tokyo")
    stamp, rest = text.split(" ", 1)
    moment = datetime.fromisoformat(stamp)
    assert moment.utcoffset() == timedelta(hours=9)
    assert abs((moment - datetime.now(UTC)).total_seconds()) < 5
    assert rest == f"({moment.strftime('%A')}, Asia/Tokyo)"


def test_clock_convert_handles_daylight_saving(packs: dict[str, ModuleType]) -> None:
    winter = run(
        packs,
        "clock.convert",
        time="2025-01-15T12:00",
        from_timezone="Europe/Paris",
        to_timezone="America/New_York",
    )
    summer = run(
        packs,
        "clock.convert",
        time="2025-07-15T12:00",
        from_timezone="Europe/Paris",
        to_timezone="America/New_York",
    )
    assert winter.startswith("2025-01-15T06:00:00-05:00 (Wednesday, America/New_York)")
    assert summer.startswith("2025-07-15T06:00:00-04:00")


def test_clock_accepts_cities_offsets_and_case(packs: dict[str, ModuleType]) -> None:
    assert run(
        packs, "clock.convert", time="2025-01-01T00:00", from_timezone="UTC", to_timezone="tokyo"
    ).startswith("2025-01-01T09:00:00+09:00")
    assert run(
        packs,
        "clock.convert",
        time="2025-01-01T00:00",
        from_timezone="UTC",
        to_timezone="UTC+05:30",
    ).startswith("2025-01-01T05:30:00+05:30")
    assert run(
        packs,
        "clock.convert",
        time="2025-01-01T00:00",
        from_timezone="utc",
        to_timezone="europe/berlin",
    ).startswith("2025-01-01T01:00:00+01:00 (Wednesday, Europe/Berlin)")


def test_clock_add_and_diff(packs: dict[str, ModuleType]) -> None:
    # 2025-03-30 is the EU DST switch: a calendar day later is 23 real hours later.
    added = run(packs, "clock.add", start="2025-03-29T12:00", days=1, timezone="Europe/Paris")
    assert added.startswith("2025-03-30T12:00:00+02:00")
    assert run(packs, "clock.add", start="2025-01-31", days=-31, hours=6).startswith(
        "2024-12-31T06:00:00+00:00"
    )
    diff = run(packs, "clock.diff", start="2025-01-01", end="2025-03-01T06:30")
    assert diff.startswith("59 days, 6 hours, 30 minutes, 0 seconds")
    assert run(packs, "clock.diff", start="2025-01-02", end="2025-01-01").startswith("-1 days")


@pytest.mark.parametrize(
    ("zone", "suggestion"),
    [
        ("Europe/Pariss", "Europe/Paris"),
        ("America/NewYork", "America/New_York"),
        ("Londn", "Europe/London"),
    ],
)
def test_clock_bad_zone_lists_close_matches(
    packs: dict[str, ModuleType], zone: str, suggestion: str
) -> None:
    with pytest.raises(ToolInputError) as info:
        run(packs, "clock.now", timezone=zone)
    assert f"unknown time zone {zone!r}" in str(info.value)
    assert suggestion in str(info.value)


def test_clock_refuses_bad_times_and_ambiguity(packs: dict[str, ModuleType]) -> None:
    with pytest.raises(ToolInputError, match="cannot read 'next tuesday'"):
        run(packs, "clock.add", start="next tuesday", days=1)
    with pytest.raises(ToolInputError, match="out of range"):
        run(packs, "clock.add", start="9999-12-31", days=2)
    with pytest.raises(ToolInputError, match="ambiguous"):
        run(packs, "clock.now", timezone="Cordoba")  # two IANA zones end in Cordoba
    assert ZoneInfo("America/New_York")  # tz database present (sanity for the other tests)
