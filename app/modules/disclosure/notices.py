"""What a notice says on the bulletin board (公示栏) and how an objector is told the answer."""
import re
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.people.models import User
from app.tables.filters import china_time
from app.workflow.notifications import notify, queue_sms

STATUS_WORDS = {"settled": "已化解", "unsettled": "未化解"}


def china_day(value: datetime, with_year: bool = True) -> str:
    """A day as people write it: 2026年12月4日 (or 12月4日), China time."""
    local = china_time(value, "%Y-%m-%d").split("-")
    day = f"{int(local[1])}月{int(local[2])}日"
    return f"{local[0]}年{day}" if with_year else day


def china_moment(value: datetime) -> str:
    """An instant as people read it: 2026年12月4日 09:00, China time."""
    return f"{china_day(value)} {china_time(value, '%H:%M')}"


def day_text(day: date) -> str:
    """A calendar day (a meeting's) as people write it: 2026年12月10日."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(starts: datetime, ends: datetime | None) -> str:
    """The publicity period as 某月某日至某月某日 (the year once, at the front; again when it changes)."""
    if ends is None:
        return ""
    same_year = china_time(starts, "%Y") == china_time(ends, "%Y")
    return f"{china_day(starts)}至{china_day(ends, with_year=not same_year)}"


def notice_heading(title: str) -> str:
    """The heading of a decision notice: 关于××项目决议的公示."""
    return f"关于“{title}”项目决议的公示"


def issuer_of(notice) -> str:
    """The body that issues the notice: as the worker set it, else the community's residents' committee."""
    return notice.issuer or f"{notice.community.name}居民委员会"


def mask(contact: str) -> str:
    """A contact as the history shows it: 139****0000 (never the whole number)."""
    contact = contact or ""
    if len(contact) >= 7:
        return f"{contact[:3]}****{contact[-4:]}"
    return "*" * len(contact)


# A mobile (13912345678, 139 1234 5678, 139-1234-5678) or landline (0535-6210001) written into an objection or
# its answer: shown publicly as 139****5678, as the history shows contacts.
_PHONE_IN_TEXT = re.compile(r"(?<![0-9])(?:1[3-9]\d[ -]?\d{4}[ -]?\d{4}|0\d{2,3}-\d{7,8})(?![0-9])")


def without_phones(text: str) -> str:
    """Public text with each phone number in it masked (139****5678)."""
    return _PHONE_IN_TEXT.sub(lambda m: mask(re.sub(r"[ -]", "", m.group(0))), text or "")


def objector_message(objection) -> str:
    """The answer as the objector receives it."""
    word = STATUS_WORDS.get(objection.status, "")
    return (f"您对“{objection.disclosure.title}”公示提出的异议已答复（{word}）：{objection.answer}"
            f"　—— {issuer_of(objection.disclosure)}")


def tell_objector(session: Session, objection, message: str, instance) -> tuple[str, str]:
    """Send `message` to the objector: ("in_app", username) with an account, ("sms", masked number) without."""
    if objection.objector_id is not None:
        user = session.get(User, objection.objector_id)
        notify(session, [user], message, instance)
        return "in_app", user.username
    if objection.contact:
        queue_sms(session, objection.contact, message)
        return "sms", mask(objection.contact)
    return "none", ""
