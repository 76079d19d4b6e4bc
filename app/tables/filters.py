"""The filters of the three lists (三张清单): read from query parameters, checked, one 400 naming each problem."""
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from app.errors import Invalid

CHINA = timezone(timedelta(hours=8))  # days and years begin at midnight in China, not in UTC
TEXT_MAX = 100
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class Filters:
    """Checked filters; `since` (inclusive) and `until` (exclusive) are UTC instants."""

    community_id: int | None = None
    status: str | None = None
    category: str | None = None
    kind: str | None = None
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def read_filters(raw: Mapping, communities: Mapping[str, int], choices: Mapping[str, Collection[str]],
                 dated: bool = True) -> Filters:
    """The filters in `raw`: community codes from `communities`, choice fields from `choices`.

    Empty values mean "any"; parameters a list does not know are ignored."""
    errors: dict[str, str] = {}
    text = {name: _text(raw, name, errors) for name in ("community", "q", *choices, "year", "from", "to")}
    if text["community"] and text["community"] not in communities:
        errors["community"] = "not one of your communities"
    for name, allowed in choices.items():
        if text[name] and text[name] not in allowed:
            errors[name] = "choose one of the offered options"
    if text["q"] and len(text["q"]) > TEXT_MAX:
        errors["q"] = "too long"
    since, until = _period(text, errors) if dated else (None, None)
    if errors:
        raise Invalid("some filters are not valid", errors)
    return Filters(community_id=communities.get(text["community"]) if text["community"] else None,
                   q=text["q"], since=since, until=until,
                   **{name: text[name] for name in choices})


def _text(raw: Mapping, name: str, errors: dict) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = "invalid value"
        return None
    return value.strip() or None


def _period(text: dict, errors: dict) -> tuple[datetime | None, datetime | None]:
    """The window the year and the from/to dates leave open (both apply when both are given)."""
    bounds: list[tuple[date, date]] = []  # (first day, day after the last)
    if text["year"]:
        year = int(text["year"]) if text["year"].isdecimal() and len(text["year"]) == 4 else None
        if year not in YEARS:
            errors["year"] = "a year such as 2026"
        else:
            bounds.append((date(year, 1, 1), date(year + 1, 1, 1)))
    first, last = _day(text, "from", errors), _day(text, "to", errors)
    if first and last and last < first:
        errors["to"] = "earlier than the start date"
    since = max([b[0] for b in bounds] + ([first] if first else []), default=None)
    until = min([b[1] for b in bounds] + ([last + timedelta(days=1)] if last else []), default=None)
    return _instant(since), _instant(until)


def _day(text: dict, name: str, errors: dict) -> date | None:
    value = text[name]
    if not value:
        return None
    try:
        # fromisoformat alone would also take "20260131"; far years would overflow the window
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or day.year not in YEARS:
        errors[name] = "a date such as 2026-01-31"
    return day if name not in errors else None


def china_time(value: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC instant as people in China read it."""
    return value.astimezone(CHINA).strftime(fmt)


def _instant(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), CHINA) if day else None


def chinese_date(value: date | datetime | None) -> str:
    """A day as people write it: 2026年12月5日 (an instant is taken in China time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(CHINA).date()
    return f"{value.year}年{value.month}月{value.day}日"
