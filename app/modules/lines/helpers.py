"""Diagram functions for 指定责任 / 兜底负责: offer leads and contacts, name them, record the lines and the sign-off."""
from sqlalchemy import select

from app.errors import FieldRefusal
from app.modules.lines import operations as lines
from app.modules.lines.models import LineStatus
from app.people.models import User
from app.workflow.helpers import bound, case, own_community, record_write
from app.workflow.notifications import notify

MAX_LINES = 4  # the form's slots


def lead_candidates(community) -> list[dict]:
    """Who may lead the need, as select options: the community's workers and secretary, the street's officers."""
    session, _ = bound()
    found = own_community(community)
    return [{"const": u.username, "title": lines.person_label(u, lines.LEAD_ROLES)}
            for u in lines.candidates(session, found, lines.LEAD_ROLES)]


def line_contact_candidates(community) -> list[dict]:
    """Who may be a line's contact, as select options: community staff, street officers, district departments."""
    session, _ = bound()
    found = own_community(community)
    return [{"const": u.username, "title": lines.person_label(u, lines.CONTACT_ROLES)}
            for u in lines.candidates(session, found, lines.CONTACT_ROLES)]


def designate_lead(community, lead, deadline_days, given) -> list[dict]:
    """Name the lead and the lines ([[name, contact username], …], empty slots left out): the multi-instance input."""
    session, actor = bound()
    found = own_community(community)
    eligible_leads = {u.username: u for u in lines.candidates(session, found, lines.LEAD_ROLES)}
    eligible_contacts = {u.username: u for u in lines.candidates(session, found, lines.CONTACT_ROLES)}
    problems, chosen, names = {}, [], set()
    if str(lead or "") not in eligible_leads:
        problems["lead"] = "choose one of the offered options"
    for n, pair in enumerate(list(given or [])[:MAX_LINES], start=1):
        name, contact = (str(v or "").strip() for v in (list(pair) + ["", ""])[:2])
        if not name and not contact:
            continue
        if not name:
            problems[f"line_{n}"] = "required"
        elif name in names:
            problems[f"line_{n}"] = "each line is named once"
        if contact not in eligible_contacts:
            problems[f"line_{n}_contact"] = "required" if not contact else "choose one of the offered options"
        names.add(name)
        chosen.append((name, eligible_contacts.get(contact)))
    if not problems and len(chosen) < lines.MIN_LINES:
        problems["line_2"] = "required"
    if problems:
        raise FieldRefusal(problems, "the lead and the lines need correcting")
    rows = lines.designate(session, case().instance, eligible_leads[str(lead)], chosen)
    chosen_lead = eligible_leads[str(lead)]
    record_write("lead_designated", summary=f"{chosen_lead.display_name}：{'、'.join(r.line_name for r in rows)}",
                 changes={"lead": [None, str(lead)], "line_deadline_days": [None, int(deadline_days)],
                          "lines": [None, [[r.line_name, r.contact.username] for r in rows]]})
    notify(session, [chosen_lead],
           f"你被指定为需求“{case().instance.title}”的牵头负责人，请统筹推进各配合单位/条线", case().instance)
    return [{"position": r.position, "line": r.line_name, "contact": r.contact.username,
             "contact_name": r.contact.display_name} for r in rows]


def lead_display_name(username) -> str:
    """The lead's name as people read it in instructions."""
    session, _ = bound()
    user = session.scalars(select(User).where(User.username == str(username))).first()
    return user.display_name if user else str(username)


def record_line_report(position, report) -> str:
    """A line's contact recorded what the line did (配合办理情况); returns the line's status."""
    session, actor = bound()
    line = lines.line_at(session, case().instance, position)
    if line is None:
        raise FieldRefusal({"line_report": "invalid value"}, "this line is not one of this need's lines")
    before, after = lines.record_report(line, str(report))
    record_write("line_reported", summary=f"{line.line_name}：{str(report)[:200]}",
                 changes={"line": [None, line.line_name], "status": [before, after], "report": [None, str(report)]})
    return str(after)


def line_reports() -> list[str]:
    """Each line's name, contact and report, one text per line (for the lead's sign-off)."""
    session, _ = bound()
    return [f"{line.line_name}（{line.contact.display_name}）：{line.report or '—'}"
            for line in lines.lines_of(session, case().instance.id)]


def record_lead_sign_off(decision, note) -> str:
    """The lead closed the need or sent it back to the lines (a reason given either way); returns the decision."""
    session, _ = bound()
    instance = case().instance
    if str(decision) == "return":
        lines.send_back(session, instance)
    elif str(decision) != "close":
        raise FieldRefusal({"sign_off": "choose one of the offered options"}, "the sign-off needs correcting")
    said = {"close": "审核办结", "return": "退回各条线重新办理"}[str(decision)]
    record_write("lead_signed_off", summary=f"{said}：{str(note)[:200]}",
                 changes={"sign_off": [None, str(decision)], "sign_off_note": [None, str(note)]})
    return str(decision)


def remind_pending_lines(message) -> int:
    """Remind the contacts of the lines still to report (a line's deadline passed); how many were told."""
    session, _ = bound()
    waiting = [line.contact for line in lines.lines_of(session, case().instance.id)
               if line.status == LineStatus.PENDING]
    notify(session, waiting, str(message), case().instance)
    record_write("notification_sent", summary=f"lines: {message}", changes={"recipients": [None, len(waiting)]})
    return len(waiting)


HELPERS = {f.__name__: f for f in (lead_candidates, line_contact_candidates, designate_lead, lead_display_name,
                                   record_line_report, line_reports, record_lead_sign_off, remind_pending_lines)}
