"""Messages that operations raise and pages show, listed here so that translators see them.

Operations speak English (the API returns it as is); pages pass these through gettext.
"""


def _(text: str) -> str:
    return text


MESSAGES = (
    _("only the person holding this task can release it"),
    _("the instance changed meanwhile; reload and try again"),
    _("this task is no longer ready"),
    _("this task is no longer ready: it was completed or cancelled"),
    _("this task is no longer ready: its deadline passed"),
    _("this task is no longer ready: someone else completed it"),
    _("this task is held by someone else"),
    _("this instance is outside your communities"), _("this instance was not routed to you"),
    _("this task is not yours to act on"),
    _("some fields need correcting"),
    _("unknown community"),
    _("unknown grid"),
    _("no such instance"),
    _("no such task"),
    _("wrong username or password"),
    # field messages
    _("required"), _("choose one of the offered options"), _("too long"), _("too short"),
    _("out of range"), _("wrong type"), _("invalid format"), _("invalid value"), _("unknown field"),
    _("must be an object"), _("you may record needs only in your own communities"), _("process_error"), _("unsupported file type"), _("empty file"), _("file too large"),
    _("content does not match its type"), _("too many files"), _("attachment_added"), _("read-only"), _("some fields cannot be changed"), _("not a grid of this community"),
    # statuses, outcomes and event types shown on pages
    _("running"), _("completed"), _("error"), _("cancelled"), _("resolved"), _("closed_unreasonable"),
    _("merged"), _("withdrawn"), _("instance_started"), _("instance_completed"), _("instance_failed"),
    _("task_completed"), _("task_claimed"), _("task_released"), _("task_cancelled"), _("timer_fired"), _("process_deployed"),
    _("token_issued"), _("need_withdrawn"), _("instance_cancelled"), _("this need is no longer open"),
    _("say why the need is withdrawn"), _("need_merged"), _("open"),
    _("this need is not waiting for a rating now"), _("no need has this tracking code"),
    # names built in templates from codes
    _("disclosure_collection"), _("disclosure_decision"), _("disclosure_implementation"), _("disclosure_effect"),
    _("disclosure_rejection"),
    _("category_party_mass"), _("category_government"), _("category_daily_life"), _("category_legal"),
    _("category_health"), _("category_culture"), _("category_community_management"), _("category_"),
    _("meeting_resident_suggestion"), _("meeting_party_proposal"), _("meeting_committees_deliberation"),
    _("meeting_party_members_review"), _("meeting_representatives_resolution"),
    _("objection_open"), _("objection_settled"), _("objection_unsettled"),
    _("body_party_committee"), _("body_two_committees"), _("body_party_members"), _("body_representatives"),
    _("body_residents"),
    _("objection_filed"), _("disclosure_opened"), _("project_status_changed"), _("register_changed"),
    _("this notice is not in its publicity period: objections are not accepted now"),
    _("say what you object to (at most 2000 characters)"), _("no such disclosure"),
)
