"""Who may do what: the role sets and the public rules that pages and API both apply.

Every role set lives here, so that a page and its API endpoint cannot drift apart. Checks that
also need a user's communities (scope) stay with the operations; this module names the roles.
"""

# Front-line workers: record needs, take tasks, attach files.
WORKER_ROLES = frozenset({"grid_worker", "community_worker", "party_secretary", "street_officer"})
# Read every community's cases (and verify the audit chain).
READ_ALL_ROLES = frozenset({"auditor", "admin"})
# Look at the cases of their communities (instances, history, the three lists).
VIEWER_ROLES = WORKER_ROLES | READ_ALL_ROLES | {"district_department", "committee_member", "supervision_committee"}
# Street and district users see only the cases that were routed to them.
ROUTED_ROLES = frozenset({"street_officer", "district_department"})
# The three lists (三张清单): whoever may look at cases in their communities.
LIST_ROLES = VIEWER_ROLES
# Add to the resources list.
RESOURCE_EDITORS = frozenset({"community_worker", "party_secretary", "street_officer", "admin"})
# The monitoring dashboard across communities.
DASHBOARD_ROLES = frozenset({"street_officer", "district_department", "auditor", "admin"})
# Failed instances: retry, cancel.
INCIDENT_ROLES = frozenset({"admin", "designer"})
# A project's internals in their communities: the fund ledger, the providers' applications.
PROJECT_STAFF = frozenset({"community_worker", "party_secretary", "committee_member", "supervision_committee",
                           "street_officer", "district_department", "auditor", "admin"})
# Record entries in a project's fund ledger.
LEDGER_ROLES = frozenset({"community_worker", "party_secretary", "street_officer"})
# Confirm volunteers' hours and settle redemptions in the time bank.
CONFIRMING_ROLES = frozenset({"community_worker", "party_secretary"})
# Record the online vote of a two-committee member who has no account (with the reason).
BALLOT_CLERKS = frozenset({"community_worker", "party_secretary"})
# Trial instances: who may look at one, and who may act on every task of one whatever its lane.
TRIAL_VIEWERS = frozenset({"designer", "auditor", "admin"})
TRIAL_PLAYERS = frozenset({"designer"})
# Answer a project's satisfaction survey while signed in (anyone else answers by mobile number).
RESIDENT_ROLES = frozenset({"resident"})
SURVEY_ROLES = RESIDENT_ROLES

# A project still deciding is not public: no page, no API, no list shows it before its decision is filed.
NOT_PUBLIC_STATUSES = frozenset({"deciding"})


def holds_any(user, roles) -> bool:
    """Whether a signed-in user holds one of these roles (False for no one or an anonymous visitor)."""
    return user is not None and bool(getattr(user, "is_authenticated", False)) and bool(user.role_ids & roles)


def project_is_public(project) -> bool:
    """Whether a project may be shown to the public (its decision is filed)."""
    return project.status not in NOT_PUBLIC_STATUSES


def survey_may_answer(user) -> bool:
    """The survey rule, one for pages and API: anonymous visitors answer by mobile number, signed-in
    residents by account, and other signed-in accounts are refused — staff do not rate the projects
    they run, and an answer from a worker's account must not be counted as a resident's."""
    return user is None or not getattr(user, "is_authenticated", True) or bool(user.role_ids & SURVEY_ROLES)
