"""A case's process data as people read it: labelled keys, titled values, dates in China time.

A key's label comes from the title its form gives it (the forms speak Chinese), else from the catalogue
of the data keys the shipped diagrams and the app write (English msgids, translated). On an English page
the catalogue comes first, since the forms have only Chinese titles. Keys a designer invents that neither
knows are shown apart, by their key, as "other data"; internal keys (ids, keys starting with `_`) are
not shown at all."""
import re
from datetime import date, datetime, timezone

from flask_babel import get_locale, gettext, lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.people.models import User
from app.people.org import Organisation
from app.people.roles import is_role, role_label
from app.tables.filters import CHINA

# The data keys of the shipped diagrams and of the app's own start data, with their names for people.
KEY_LABELS = {
    "title": lazy_gettext("Title"),
    "description": lazy_gettext("Need description"),
    "category": lazy_gettext("Service category"),
    "channel": lazy_gettext("Intake channel"),
    "grid": lazy_gettext("Grid"),
    "visit_type": lazy_gettext("Visit type"),
    "anonymous": lazy_gettext("Anonymous"),
    "tracking_code": lazy_gettext("Tracking code"),
    "first_responder": lazy_gettext("First responder"),
    "reasonable": lazy_gettext("Found reasonable"),
    "basis": lazy_gettext("Basis of the assessment"),
    "responsibility": lazy_gettext("Responsible body"),
    "tier": lazy_gettext("Handling level"),
    "kind": lazy_gettext("Need type"),
    "affair_weight": lazy_gettext("Way of handling"),
    "suggested_tier": lazy_gettext("Suggested handling level"),
    "suggested_kind": lazy_gettext("Suggested need type"),
    "grade_overridden": lazy_gettext("Grade changed from the suggestion"),
    "deadline_days": lazy_gettext("Time limit (days)"),
    "reopen_count": lazy_gettext("Times handled again"),
    "overlap_candidates": lazy_gettext("Possibly the same need"),
    "merged_into": lazy_gettext("Merged into"),
    "merged_need": lazy_gettext("Merged need"),
    "supporters": lazy_gettext("Residents raising the same need"),
    "follow_up_need": lazy_gettext("Follow-up need"),
    "escalated_from": lazy_gettext("Escalated from"),
    "project_key": lazy_gettext("Project number"),
    "project_summary": lazy_gettext("Project summary"),
    "project_outcome": lazy_gettext("Project outcome"),
    "plan": lazy_gettext("Project plan"),
    "budget": lazy_gettext("Budget (yuan)"),
    "decision_days": lazy_gettext("Decision period (days)"),
    "decision_started": lazy_gettext("Decision started on"),
    "decision_summary": lazy_gettext("Decision summary"),
    "meeting": lazy_gettext("Current meeting"),
    "meeting_results": lazy_gettext("Meeting results"),
    "meeting_date": lazy_gettext("Meeting date"),
    "members_total": lazy_gettext("Members expected"),
    "members_total_representatives": lazy_gettext("Resident representatives"),
    "members_total_residents": lazy_gettext("Residents"),
    "committee_members": lazy_gettext("Committee members"),
    "member": lazy_gettext("Member"),
    "present": lazy_gettext("Present"),
    "votes_for": lazy_gettext("Votes for"),
    "votes_against": lazy_gettext("Votes against"),
    "abstain": lazy_gettext("Abstentions"),
    "tally": lazy_gettext("Vote count"),
    "vote": lazy_gettext("Vote"),
    "vote_round": lazy_gettext("Voting round"),
    "valid": lazy_gettext("Valid"),
    "passed": lazy_gettext("Passed"),
    "reason": lazy_gettext("Reason"),
    "notice_days": lazy_gettext("Days of notice before the meeting"),
    "evidence_count": lazy_gettext("Pieces of evidence"),
    "revision_count": lazy_gettext("Plan revisions"),
    "last_revise_note": lazy_gettext("Latest revision note"),
    "objection_result": lazy_gettext("Objections"),
    "filed_on": lazy_gettext("Filed on"),
    "filing_returns": lazy_gettext("Times the filing was returned"),
    "filing_return_to": lazy_gettext("Filing returned to"),
    "filing_return_note": lazy_gettext("Why the filing was returned"),
    "applicant_choices": lazy_gettext("Applicants"),
    "unit_choices": lazy_gettext("Units to rate"),
    "project_choices": lazy_gettext("Projects to grade"),
    "organisation_choices": lazy_gettext("Organisations to choose from"),
    "annual_ratings": lazy_gettext("Grades of the annual review"),
    "annual_follow_up_needs": lazy_gettext("Follow-up needs of the annual review"),
    "pool_year": lazy_gettext("Year of the needs pool"),
    "follow_up_source": lazy_gettext("Source of the follow-up"),
    "provider": lazy_gettext("Provider"),
    "provider_username": lazy_gettext("Provider account"),
    "claim_closes_at": lazy_gettext("Claiming closes"),
    "fund": lazy_gettext("Project fund"),
    "fund_balance": lazy_gettext("Fund balance"),
    "funding_gap": lazy_gettext("Funding gap"),
    "funding_committed": lazy_gettext("Committed funding"),
    "micro_fund_available": lazy_gettext("Micro-fund balance available"),
    "micro_fund_balance": lazy_gettext("Micro-fund balance"),
    "fund_year": lazy_gettext("Micro-fund year"),
    "fund_name": lazy_gettext("Named fund"),
    "report_count": lazy_gettext("Progress reports"),
    "report_grace_days": lazy_gettext("Grace period for reports (days)"),
    "last_progress_text": lazy_gettext("Latest progress"),
    "progress_text_public": lazy_gettext("Progress made public"),
    "survey": lazy_gettext("Survey results"),
    "survey_days": lazy_gettext("Survey period (days)"),
    "survey_closes_at": lazy_gettext("Survey closes"),
    "satisfaction_threshold": lazy_gettext("Satisfaction threshold"),
    "satisfied_share_threshold": lazy_gettext("Share of satisfied residents required"),
    "low_satisfaction": lazy_gettext("Satisfaction too low"),
    "rated_body": lazy_gettext("Body rated"),
    "rated_org": lazy_gettext("Organisation rated"),
    "assigned_department": lazy_gettext("Department handling the need"),
    "assigned_department_name": lazy_gettext("Department handling the need"),
    "district_deadline_days": lazy_gettext("Department's time limit (days)"),
    "district_due_date": lazy_gettext("Department's time limit ends"),
    "return_reason": lazy_gettext("Reason for returning"),
    "handling_body": lazy_gettext("Handling body"),
    "projects": lazy_gettext("Projects of the year"),
    "annual_text": lazy_gettext("Annual review"),
    "effect_text": lazy_gettext("Effect of the project"),
    "points_available": lazy_gettext("Points available"),
    "enough": lazy_gettext("Enough points"),
    "redeemed": lazy_gettext("Redeemed"),
    "wish_hours_record": lazy_gettext("Service hours recorded for the wish"),
    "wish_claimer": lazy_gettext("Wish claimed by"),
    "wish_claimer_kind": lazy_gettext("Claimed as"),
    "wish_hours_to_bank": lazy_gettext("Hours go to the time bank"),
    "wish_service_recorded": lazy_gettext("Wish service recorded"),
    "wish_decider": lazy_gettext("Unclaimed wish decided by"),
    "item": lazy_gettext("Item to redeem"),
    "points": lazy_gettext("Points"),
    "volunteer": lazy_gettext("Volunteer"),
    "status": lazy_gettext("Status"),
    "community": lazy_gettext("Community"),
    "balance": lazy_gettext("Points balance"),
    "outcome": lazy_gettext("Outcome"),
    "hours": lazy_gettext("Hours"),
    "hours_id": lazy_gettext("Hours record"),
    "user_id": lazy_gettext("Account record"),
    "amount": lazy_gettext("Amount"),
    "source": lazy_gettext("Source"),
    "ready_tasks": lazy_gettext("Tasks open"),
    "disclosure_id": lazy_gettext("Disclosure record"),
    "rejection_disclosure_id": lazy_gettext("Disclosure record of the rejection"),
    "annual_disclosure_id": lazy_gettext("Disclosure record of the annual review"),
    "meeting_id": lazy_gettext("Meeting record"),
    "project_id": lazy_gettext("Project record"),
    "objection_id": lazy_gettext("Objection record"),
    "redemption_id": lazy_gettext("Redemption record"),
    "ballot_key": lazy_gettext("Ballot"),
    "days": lazy_gettext("Days"),
    "results": lazy_gettext("Results"),
    "scores": lazy_gettext("Scores"),
    "links_or_markup_removed": lazy_gettext("Links or markup removed"),
    "filing": lazy_gettext("Filing number"),
    "filing_number": lazy_gettext("Filing number"),
    "recipients": lazy_gettext("Recipients"),
    "role": lazy_gettext("Role notified"),
    "notice_id": lazy_gettext("Delivery record"),
    "community_name": lazy_gettext("Community"),
    "grid_name": lazy_gettext("Grid"),
    "notice_text": lazy_gettext("Text of the notice"),
    "unsettled_objection_text": lazy_gettext("Objections not settled"),
    "closed_at": lazy_gettext("Closed at"),
    "replaces": lazy_gettext("Replaces notice"),
    "signed_in": lazy_gettext("Sign-in sheet"),
    "assumed_years": lazy_gettext("Years counted Monday to Friday"),
    "cooperating_lines": lazy_gettext("Cooperating lines"),
    "line_summary": lazy_gettext("What the lines did"),
}
# The parts of the structured values above (the project fund, survey results, scores, the sign-in sheet).
PART_LABELS = {
    "present": lazy_gettext("Present"),
    "members_total": lazy_gettext("Expected to attend"),
    "on_register": lazy_gettext("On the register"),
    "excused_reason": lazy_gettext("Reason for the excusal"),
    "names": lazy_gettext("Names"),
    "fiscal": lazy_gettext("Fiscal funds"),
    "donation": lazy_gettext("Donations"),
    "sponsorship": lazy_gettext("Sponsorship"),
    "crowdfunding": lazy_gettext("Crowdfunding"),
    "named_fund": lazy_gettext("fund_named_fund"),
    "micro_fund": lazy_gettext("fund_micro_fund"),
    "income": lazy_gettext("Income"),
    "spent": lazy_gettext("Spent"),
    "balance": lazy_gettext("Remaining balance"),
    "entries": lazy_gettext("Entries"),
    "responses": lazy_gettext("Responses"),
    "average": lazy_gettext("Average"),
    "satisfied_share": lazy_gettext("Share satisfied"),
    "line": lazy_gettext("Cooperating line"),
    "contact_name": lazy_gettext("Contact person"),
}
# Values of catalogued keys that no form offers: their names for people.
VALUE_LABELS = {
    "objection_result": {"clear": lazy_gettext("No objection"), "open": lazy_gettext("Objections being handled"),
                         "unsettled": lazy_gettext("Objections not settled"), "": lazy_gettext("Not yet known")},
    "vote": {"for": lazy_gettext("For"), "against": lazy_gettext("Against"), "abstain": lazy_gettext("Abstain")},
    # a micro-wish's claimer and the way the source (004) names it
    "wish_claimer_kind": {"volunteer": lazy_gettext("Volunteer (mutual help)"),
                          "party_member": lazy_gettext("Party member (linking hearts)"),
                          "unit": lazy_gettext("Unit in the area (paired with the community)"),
                          "business": lazy_gettext("Business (businesses and residents together)"),
                          "community": lazy_gettext("The community itself")},
    "rated_body": {"street": lazy_gettext("street office"), "district": lazy_gettext("district departments")},
}
# Keys whose values are statuses with a catalogue entry "<prefix><value>".
STATUS_PREFIXES = {"project_outcome": ("project_",), "status": ("project_", ""), "kind": ("disclosure_", "fund_"),
                   "outcome": ("", "filing_")}
# A status changed together with one of these ids is that record's status.
STATUS_OF = {"redemption_id": ("redemption_",), "hours_id": ("hours_",), "objection_id": ("objection_", "")}
# Keys that take the value names of another key's form field.
VALUES_OF = {"suggested_tier": "tier", "suggested_kind": "kind"}
MONEY = {"fund", "fund_balance", "funding_gap", "funding_committed", "micro_fund_available", "micro_fund_balance"}
USER_KEYS = ("first_responder", "provider", "provider_username", "volunteer", "wish_claimer", "wish_decider", "lead",
             "line_1_contact", "line_2_contact", "line_3_contact", "line_4_contact")  # values are usernames
ORG_KEYS = ("assigned_department", "rated_org")  # values are organisation codes
# The community is in the page's header and the grid shown by its code; the sheets' options are the forms', and
# who signed in or was excused (register ids) is in the sheet by name (signed_in).
INTERNAL = {"community", "community_name", "grid_name", "roster_choices", "excusable_choices", "attendees", "excused",
            # the amounts above, formatted for the instructions (5,000.00)
            "funding_gap_shown", "funding_committed_shown", "micro_fund_available_shown",
            # the dispatch's options, its route and the due day written out (shown as the department and its day)
            "department_choices", "district_route", "district_due_text", "assigned_department_name",
            "lead_options", "contact_options", "lead_name", "line"}
# Register ids (the sheet's names say who came); a line's slot and its contact's username (its name is shown).
# (`line` is one line's own item, inside its task only; `lead_name` repeats the lead, shown by name.)
HIDDEN_PARTS = {"signed_in": ("attendees", "excused"), "cooperating_lines": ("position", "contact")}
MAX_DEPTH = 4  # levels of lists and objects spelled out

_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_INSTANT_IN_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_IN_TEXT = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")


def case_labels(session: Session, labels: dict, community, data: list[dict]) -> dict:
    """The form labels with the case's community and the people its data names by username named
    (`data`: the dicts to look in, such as the case's data or its events' changes)."""
    usernames = {str(v) for d in data for key in USER_KEYS for v in _both(d.get(key)) if v}
    people = dict(session.execute(select(User.username, User.display_name).where(User.username.in_(usernames)))
                  .all()) if usernames else {}
    named = {key: labels.get(key, {}) | {"values": labels.get(key, {}).get("values", {}) | people} for key in USER_KEYS}
    codes = {str(v) for d in data for key in ORG_KEYS for v in _both(d.get(key)) if v}
    orgs = dict(session.execute(select(Organisation.code, Organisation.name).where(Organisation.code.in_(codes)))
                .all()) if codes else {}
    named |= {key: labels.get(key, {}) | {"values": labels.get(key, {}).get("values", {}) | orgs} for key in ORG_KEYS}
    return labels | named | {"community": {"values": {community.code: community.name}}}


def _both(value) -> list:
    """A value, or both sides of a change ([before, after])."""
    return value if isinstance(value, list) else [value]


def is_internal(key: str) -> bool:
    """Keys people need not see: the app's ids and private keys (`_…`)."""
    return key.startswith("_") or key.endswith("_id") or key in INTERNAL


def data_sections(labels: dict, forms: dict, data: dict) -> tuple[list[dict], list[dict]]:
    """(known, other) rows {key, label, value} of the data; internal keys left out, both sorted by label."""
    known, other = [], []
    for key in sorted(data):
        if is_internal(key):
            continue
        row = {"key": key, "label": key_label(labels, key), "value": value_text(labels, forms, key, data[key])}
        (known if row["label"] is not None else other).append(row | {"label": row["label"] or key})
    return sorted(known, key=lambda r: r["label"]), other


def key_label(labels: dict, key: str) -> str | None:
    """A key's name for people (the page's language first), or None for a key nobody named."""
    titled = labels.get(key, {}).get("title")
    catalogued = str(KEY_LABELS[key]) if key in KEY_LABELS else None
    if _english():
        return catalogued or titled
    return titled or catalogued


def change_label(labels: dict, key: str) -> str:
    """A changed field's name in the history (its key when nobody named it)."""
    return key_label(labels, key) or key


def value_text(labels: dict, forms: dict, key: str, value, statuses: tuple[str, ...] | None = None,
               depth: int = 0) -> str:
    """A stored value as people read it: option titles, status names, yes/no, dates, amounts."""
    if value is None or value == [] or value == {}:
        return "—"
    if depth > MAX_DEPTH and isinstance(value, (dict, list)):  # a designer's script may nest data deeply
        return "…"
    field = labels.get(VALUES_OF.get(key, key), {})
    if not isinstance(value, (dict, list)) and (titled := field.get("values", {}).get(_value_key(value))):
        return titled
    if isinstance(value, list):
        return "；".join(value_text(labels, forms, key, item, depth=depth + 1) for item in value)
    if isinstance(value, dict):
        return _structured(labels, forms, key, value, depth)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if key in MONEY and isinstance(value, (int, float)):
        return gettext("%(amount)s yuan", amount=f"{value:,.2f}")
    if (named := _named_value(forms, key, value, statuses)) is not None:
        return named
    return _text(value)


def _structured(labels: dict, forms: dict, key: str, value: dict, depth: int) -> str:
    """An option ({const, title}) by its title; any other object part by part."""
    if "const" in value:
        return str(value.get("title") or value["const"])
    parts = []
    for part, item in value.items():
        if part in HIDDEN_PARTS.get(key, ()):
            continue
        name = _form_title(forms, part) or (str(PART_LABELS[part]) if part in PART_LABELS else part)
        shown = value_text(labels, forms, key if key in MONEY and part != "entries" else part, item, depth=depth + 1)
        parts.append(f"{name}：{shown}")
    return "；".join(parts)


def _named_value(forms: dict, key: str, value, statuses: tuple[str, ...] | None) -> str | None:
    text = str(value)
    if key in VALUE_LABELS and text in VALUE_LABELS[key]:
        return str(VALUE_LABELS[key][text])
    prefixes = statuses if statuses and key == "status" else STATUS_PREFIXES.get(key, ())
    for msgid in (prefix + text for prefix in prefixes if text):
        if (translated := gettext(msgid)) != msgid:
            return translated
    if key in ("meeting", "ready_tasks"):
        return _form_title(forms, text)
    if key == "role" and is_role(text):
        return role_label(text, str(get_locale() or "zh_CN"))
    return None


def _form_title(forms: dict, name: str) -> str | None:
    """The title of the form named like a task (the meetings are their forms' tasks)."""
    form = forms.get(f"{name}-schema.json")
    return form.get("title") if isinstance(form, dict) and isinstance(form.get("title"), str) else None


def _text(value) -> str:
    """Text as is, but an ISO date or instant written as people read it, in China time."""
    text = str(value)
    if isinstance(value, str) and _INSTANT.match(value):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return text
        return when(instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc))
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return day_text(date.fromisoformat(value))
        except ValueError:
            return text
    return text


# An id standing alone in a summary ("261124JW77HH: deciding → disclosed", "party_members_review: in_person",
# "community_worker: 项目…", "rejection: 标题"), and the catalogue keys that name it, tried in this order.
_SUMMARY_ID = re.compile(r"(?:^|(?<=: )|(?<= → ))[a-z][a-z_]*(?=: |$| → | v\d+$)")
_SUMMARY_KEYS = ("project_%s", "notice_method_%s", "disclosure_%s")


def readable(text: str | None, forms: dict | None = None, names: dict | None = None) -> str:
    """A summary as people read it: the ISO instants and days in it written in China time ("at <instant>" as the page says
    it), and the ids standing alone in it (a project's status, a meeting, a role, a delivery method, a notice's
    kind, or one of `names`: the case's process, "need_lifecycle v1") named as the page names them."""
    if not text:
        return ""
    if text.startswith("at ") and _INSTANT_IN_TEXT.fullmatch(text[3:]):
        return gettext("at %(when)s", when=_text(text[3:]))
    text = _DAY_IN_TEXT.sub(lambda m: _text(m.group(0)), _INSTANT_IN_TEXT.sub(lambda m: _text(m.group(0)), text))
    return _SUMMARY_ID.sub(lambda m: (names or {}).get(m.group(0)) or _id_name(m.group(0), forms or {}), text)


def _id_name(name: str, forms: dict) -> str:
    """The name people read for an id in a summary; the id itself when nothing names it."""
    if is_role(name):
        return role_label(name, str(get_locale() or "zh_CN"))
    if title := _form_title(forms, name):
        return title
    for key in _SUMMARY_KEYS:
        if (label := gettext(key % name)) != key % name:
            return label
    return name


def when(instant: datetime) -> str:
    """An instant in China time: 2026年12月5日 09:00 (2026-12-05 09:00 on an English page)."""
    local = instant.astimezone(CHINA)
    return f"{day_text(local.date())} {local:%H:%M}"


def day_text(day: date) -> str:
    """A day: 2026年12月5日 (2026-12-05 on an English page)."""
    return day.isoformat() if _english() else f"{day.year}年{day.month}月{day.day}日"


def _value_key(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _english() -> bool:
    return str(get_locale() or "zh_CN").startswith("en")


def change_rows(labels: dict, forms: dict, changes: dict | None) -> list[dict]:
    """The fields an event changed, {field, label, before, after}, as people read them."""
    rows, changes = [], changes or {}
    statuses = next((prefixes for id_key, prefixes in STATUS_OF.items() if id_key in changes), None)
    for field, pair in sorted(changes.items()):
        paired = isinstance(pair, list) and len(pair) == 2
        before, after = pair if paired else (None, pair)
        rows.append({"field": field, "label": change_label(labels, field), "paired": paired,
                     "before": value_text(labels, forms, field, before, statuses),
                     "after": value_text(labels, forms, field, after, statuses)})
    return rows
