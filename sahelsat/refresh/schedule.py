"""When a source may be asked again: its update interval after an answer, and a
back-off that doubles after each failure (CelesTrak and Space-Track usage rules; see
:mod:`sahelsat.refresh.sources`). Times are UTC, written ISO-8601 with ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sahelsat.refresh import defaults


def utc(now: datetime | None = None) -> datetime:
    """``now`` (default: the clock) in UTC, to the second."""
    return (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str | None) -> datetime | None:
    try:
        return datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def not_before(entry: dict, interval_s: float, now: datetime) -> str | None:
    """Why a query must not be asked now (None when it may be)."""
    retry = parse_iso(entry.get("retry_after"))
    if retry is not None and now < retry:
        return (
            f"the last request failed ({entry.get('last_error')}); not asked again before "
            f"{iso(retry)} (--force to ask anyway)"
        )
    last = parse_iso(entry.get("fetched_at"))
    if last is not None and now < last + timedelta(seconds=interval_s):
        return (
            f"asked at {iso(last)}, less than {interval_s / 3600:g} h ago (the source's update "
            f"interval); not asked again before {iso(last + timedelta(seconds=interval_s))} "
            "(--force to ask anyway)"
        )
    return None


def record_failure(
    entry: dict, message: str, retry_after_s: float | None, interval_s: float, now: datetime
) -> None:
    """Note a failed request in its state ``entry``: the next try waits the interval,
    doubled with each further failure (at most ``BACKOFF_MAX_S``), or what the server
    asked (``Retry-After``) when longer."""
    failures = int(entry.get("failures") or 0) + 1
    backoff = min(interval_s * 2 ** (failures - 1), defaults.BACKOFF_MAX_S)
    backoff = max(backoff, retry_after_s or 0.0)
    entry.update(
        failures=failures,
        last_error=message,
        retry_after=iso(now + timedelta(seconds=backoff)),
    )
