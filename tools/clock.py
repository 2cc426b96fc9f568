"""First-party pack: ``clock.*``, the current time, time-zone conversion and date arithmetic.

Models do not know what time it is and are unreliable at calendar arithmetic; these tools
answer from the system clock and ``zoneinfo``. Zone names are IANA names
(``Europe/Paris``); a city alone (``Tokyo``) or a fixed offset (``UTC+2``, ``-05:30``) is
accepted when unambiguous, and a wrong name gets an error listing close matches.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from gemma_agents.tools import ToolInputError, tool

__all__ = [
    "add_time",
    "convert_time",
    "now",
    "pack_tools",
    "parse_time",
    "resolve_zone",
    "time_between",
]

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Lower-case name -> canonical IANA name."""
    return {name.lower(): name for name in available_timezones()}


@functools.lru_cache(maxsize=1)
def _cities() -> dict[str, list[str]]:
    """Lower-case last component (``tokyo``) -> IANA names ending in it."""
    out: dict[str, list[str]] = {}
    for name in _zones().values():
        out.setdefault(name.rsplit("/", 1)[-1].lower().replace("_", " "), []).append(name)
    return out


def resolve_zone(name: str) -> tzinfo:
    """A ``tzinfo`` for an IANA name, a unique city name, ``UTC`` or a fixed offset.

    Raises:
        ToolInputError: unknown or ambiguous names, listing close matches.
    """
    text = (name or "").strip()
    if not text or text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    offset = _OFFSET.match(text)
    if offset:
        sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
        if hours > 14 or minutes > 59:
            raise _error(f"offset {text!r} is out of range")
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if sign == "-" else delta)
    canonical = _zones().get(text.lower())
    if canonical is None:
        cities = _cities().get(text.lower().replace("_", " "), [])
        if len(cities) == 1:
            canonical = cities[0]
        elif len(cities) > 1:
            raise _error(f"{text!r} is ambiguous", f"use one of: {', '.join(sorted(cities))}")
    if canonical is not None:
        try:
            return ZoneInfo(canonical)
        except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - listed zones load
            pass
    close = difflib.get_close_matches(text.lower(), list(_zones()), n=4, cutoff=0.5)
    close += [
        z
        for c in difflib.get_close_matches(text.lower(), list(_cities()), n=2)
        for z in _cities()[c]
    ]
    names = list(dict.fromkeys(_zones().get(c, c) for c in close))[:5]
    hint = (
        f"close matches: {', '.join(names)}"
        if names
        else "use an IANA name like 'Europe/Paris' or 'UTC'"
    )
    raise _error(f"unknown time zone {text!r}", hint)


def parse_time(value: str, zone: tzinfo) -> datetime:
    """Parse ISO 8601 (``2025-03-01``, ``2025-03-01T14:30``, ``...+02:00``) or ``now``.

    Times without an offset are taken to be in ``zone``.

    Raises:
        ToolInputError: the text is not a date/time.
    """
    text = (value or "").strip()
    if text.lower() in ("", "now"):
        return datetime.now(zone)
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError as exc:
        raise _error(
            f"cannot read {value!r} as a date/time",
            "use ISO 8601, e.g. '2025-03-01T14:30' or 'now'",
        ) from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _show(moment: datetime, zone_name: str) -> str:
    return f"{moment.isoformat(timespec='seconds')} ({moment.strftime('%A')}, {zone_name})"


def _zone_name(zone: tzinfo, requested: str) -> str:
    return getattr(zone, "key", None) or (requested.strip() or "UTC")


@tool("clock.now", tags=("time", "builtin"), idempotent=True)
def now(timezone: str = "UTC") -> str:
    """Get the current date and time in a time zone.

    Args:
        timezone: IANA time zone name such as "Europe/Paris" or "America/New_York".
    """
    zone = resolve_zone(timezone)
    return _show(datetime.now(zone), _zone_name(zone, timezone))


@tool("clock.convert", tags=("time", "builtin"))
def convert_time(time: str, from_timezone: str, to_timezone: str) -> str:
    """Convert a date/time from one time zone to another.

    Args:
        time: ISO 8601 date/time such as "2025-03-01T14:30", or "now".
        from_timezone: Time zone the time is given in.
        to_timezone: Time zone to convert to.
    """
    source, target = resolve_zone(from_timezone), resolve_zone(to_timezone)
    moment = parse_time(time, source).astimezone(target)
    return _show(moment, _zone_name(target, to_timezone))


@tool("clock.add", tags=("time", "builtin"))
def add_time(
    start: str = "now",
    days: float = 0,
    hours: float = 0,
    minutes: float = 0,
    weeks: float = 0,
    timezone: str = "UTC",
) -> str:
    """Add (or, with negative numbers, subtract) days, hours, minutes or weeks to a date/time.

    Args:
        start: ISO 8601 date/time to start from, or "now".
        days: Days to add.
        hours: Hours to add.
        minutes: Minutes to add.
        weeks: Weeks to add.
        timezone: Time zone for "now" and for times without an offset.
    """
    zone = resolve_zone(timezone)
    try:
        delta = timedelta(days=days, hours=hours, minutes=minutes, weeks=weeks)
        moment = parse_time(start, zone) + delta
    except OverflowError as exc:
        raise _error("the resulting date is out of range (years 1-9999)") from exc
    return _show(moment, _zone_name(zone, timezone))


@tool("clock.diff", tags=("time", "builtin"))
def time_between(start: str, end: str, timezone: str = "UTC") -> str:
    """Compute how much time lies between two dates/times (end minus start).

    Args:
        start: ISO 8601 date/time, or "now".
        end: ISO 8601 date/time, or "now".
        timezone: Time zone for "now" and for times without an offset.
    """
    zone = resolve_zone(timezone)
    delta = parse_time(end, zone) - parse_time(start, zone)
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return (
        f"{sign}{days} days, {hours} hours, {minutes} minutes, {secs} seconds "
        f"(total {seconds} seconds, {seconds / 86400:.4g} days)"
    )


def _error(message: str, hint: str | None = None) -> ToolInputError:
    return ToolInputError("clock", message, hint=hint)


def pack_tools(config: Any = None) -> list[Any]:
    """The tools of this pack (no settings needed)."""
    return [now, convert_time, add_time, time_between]
