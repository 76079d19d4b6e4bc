"""The roles of domain.md, and how a BPMN lane names one."""
from app.people.policy import READ_ALL_ROLES, WORKER_ROLES  # noqa: F401 (the role sets live in policy)


ROLES: dict[str, tuple[str, str]] = {
    "resident": ("居民", "Resident"),
    "grid_worker": ("网格员", "Grid worker"),
    "community_worker": ("社区工作者", "Community worker"),
    "party_secretary": ("社区党组织书记", "Party secretary"),
    "committee_member": ("社区两委成员", "Committee member"),
    "supervision_committee": ("居务监督委员会", "Supervision committee"),
    "street_officer": ("街道办事处", "Street office"),
    "district_department": ("区级职能部门", "District department"),
    "provider": ("服务提供方", "Provider"),
    "volunteer": ("志愿者", "Volunteer"),
    "evaluator": ("第三方评估机构", "Third-party evaluator"),
    "designer": ("流程设计员", "Process designer"),
    "auditor": ("审计监督人员", "Auditor"),
    "admin": ("系统管理员", "Administrator"),
}
_BY_NAME = {name: role for role, names in ROLES.items() for name in names} | {r: r for r in ROLES}


def role_for_lane(lane: str | None) -> str | None:
    """The role a lane stands for: its name is a role id or a role's Chinese or English name."""
    return _BY_NAME.get((lane or "").strip())


def role_label(role: str, locale: str = "zh_CN") -> str:
    """A role's name for people."""
    zh, en = ROLES.get(role, (role, role))
    return en if locale.startswith("en") else zh
