"""Messages pages show that no source line names as a literal (keys built from codes, field messages),
listed here so that `make messages` extracts them for translators.

Operations speak English msgids with named placeholders (the API returns them filled in, as is);
pages translate them with `OperationError.translated`. tests/test_catalogue.py checks that every
message raised in app/ has a zh translation and every key here an English name.
"""


def _(text: str) -> str:
    return text


MESSAGES = (
    # the process designer
    _("send 'files' as an object of file name → text"), _("the package is too large"),
    _("a process id starts with a letter or _ and holds letters, digits, _ . - (at most 100)"),
    _("this is the only version in use: deploy or restore another version first, "
      "or new instances of this process could not start"),
    _("the process has problems to fix before it can run"), _("the process cannot be deployed"),
    _("choose a community"), _("a process or draft with this id exists already: open it instead"),
    _("choose a .bpmn file of at most 2 MB"), _("the file is not UTF-8 text"), _("send a JSON object"),
    _("the schema and the UI schema must each be a JSON object"),
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
    _("register_member_added"), _("register_member_changed"), _("register_member_removed"), _("register_imported"),
    _("register_exported"), _("meeting_signed_in"), _("ballot_recorded"), _("register_counting_rule"),
    _("register_suffix"), _("register_file_help"), _("register_name"), _("register_grid"), _("register_phone"),
    _("register_affiliation"), _("register_status"), _("register_joined_on"), _("register_left_on"),
    _("register_username"), _("ballots_help"),
    _("this notice is not in its publicity period: objections are not accepted now"),
    _("say what you object to (at most 2000 characters)"), _("no such disclosure"),
    # the three lists (三张清单) and the resources list
    _("some filters are not valid"), _("not one of your communities"), _("a year such as 2026"),
    _("a date such as 2026-01-31"), _("earlier than the start date"), _("a whole number from 1"),
    _("the lists are for community staff"), _("resource_added"),
    _("only community workers, party secretaries, street offices and administrators add resources"),
    _("resource_kind_unit"), _("resource_kind_organisation"), _("resource_kind_volunteer"), _("resource_kind_venue"),
    _("resource_kind_fund"),
    # delivery, evaluation, the time bank
    _("disclosure_results"), _("disclosure_annual"),
    _("project_deciding"), _("project_disclosed"), _("project_filed"), _("project_rejected"), _("project_claiming"),
    _("project_delivering"), _("project_completed"), _("project_delivered"), _("project_evaluating"),
    _("project_evaluated"),
    _("fund_fiscal"), _("fund_donation"), _("fund_sponsorship"), _("fund_crowdfunding"), _("fund_spending"),
    _("points_earn"), _("points_redeem"), _("hours_pending"), _("hours_confirmed"), _("hours_rejected"),
    _("redemption_requested"), _("redemption_redeemed"), _("redemption_refused"),
    _("application_applied"), _("application_selected"), _("application_not_selected"),
    _("project_published"), _("provider_selected"), _("fund_entry_added"), _("project_applied"),
    _("volunteer_signed_up"), _("survey_opened"), _("survey_closed"), _("survey_answered"), _("follow_up_started"),
    _("follow_up_linked"), _("hours_logged"), _("points_earned"), _("points_redeemed"),
    # 指定责任 / 兜底负责: the lead and the cooperating lines
    _("lead_designated"), _("line_reported"), _("lead_signed_off"), _("line_pending"), _("line_done"),
    _("the lead and the lines need correcting"), _("each line is named once"),
    _("this line is not one of this need's lines"), _("the sign-off needs correcting"),
    _("no such project"), _("no such hours record"), _("the ledger entry needs correcting"),
    _("this project's fund is not open: it is not in delivery"), _("spending would exceed the fund's balance"),
    _("more than the balance"), _("only service providers can apply for projects"),
    _("the application needs correcting"), _("you have already applied for this project"),
    _("only volunteers can sign up"), _("this project is not taking volunteers now"),
    _("you have already signed up for this project"), _("the answer needs correcting"),
    _("this survey is not open: answers are taken only during its window"),
    _("you have already answered this survey"), _("this project is not open for applications now"),
    _("only the community's workers and the street office keep this ledger"),
    _("the hours need correcting"), _("say whether the hours are confirmed"),
    _("only the community's workers confirm volunteer hours"), _("the redemption cannot be requested"), _("not enough points for this redemption"),
    _("only volunteers redeem time-bank points"), _("name the volunteer whose hours these are"),
    _("volunteers log only their own hours"), _("no such volunteer in your communities"),
    _("the time bank is for volunteers and the community's workers"),
    _("this project is outside your communities"), _("the satisfaction survey is for residents"),
    # administration: reassign tasks, edit or cancel instances, users' roles
    _("name the user to assign, or null to return the task to the queue"), _("must be a username or null"),
    _("no such user"), _("unknown user"), _("this user is not active"), _("inactive"),
    _("this user does not hold the role this task is for"), _("lacks the role"),
    _("this user does not work in the task's community"), _("out of scope"), _("this instance is not running"),
    _("send the fields to set as a non-empty object"),
    _("field names are identifiers not starting with _, and values are JSON"),
    _("the value is not JSON: put text in double quotes"), _("say why (at most 500 characters)"),
    _("send roles as a list of role ids"), _("some roles are unknown"), _("unknown role"),
    _("active must be true or false"), _("one person cannot be both auditor and administrator"),
    _("the last active administrator must keep the admin role"),
    _("task_reassigned"), _("instance_data_edited"), _("instance_terminated"), _("terminated"),
    _("user_roles_changed"), _("user_activated"), _("user_deactivated"),
    # issue 16: diagram helpers act only inside their own case; what they write is audited
    _("project_registered"), _("meeting_recorded"), _("ballot_cast"), _("objection_answered"),
    _("project_progress_changed"), _("project_scores_recorded"), _("notification_sent"),
    _("trial instances start only in the trial community"), _("not the trial community"),
    # issue 17: starting a deployed process over the API
    _("your roles may not start this process"), _("only designers start instances in the trial community"),
    _("this community is outside your communities"), _("outside your communities"),
    _('send {"community": "<code>", "data": {...}}'), _("unprocessable"),
    _("this process is started by its own form, not here"),
)
