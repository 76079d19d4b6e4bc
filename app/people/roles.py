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
    # 在职党员双报到: a party member working elsewhere who registered with the community (an account holding this role)
    "party_member": ("在职党员", "Registered party member"),
    "unit": ("辖区单位", "Unit in the area"),
    "business": ("商户", "Business"),
    "evaluator": ("第三方评估机构", "Third-party evaluator"),
    "designer": ("流程设计员", "Process designer"),
    "auditor": ("审计监督人员", "Auditor"),
    "admin": ("系统管理员", "Administrator"),
}
# Lanes that offer their tasks to several roles at once: a lane named by a group (its id or either name) offers
# each task to whoever holds one of the group's roles. A task records the group; who may act expands it.
ROLE_GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "wish_claimer": ("微心愿认领方", "Micro-wish claimers", ("volunteer", "party_member", "unit", "business")),
}
_BY_NAME = ({name: role for role, names in ROLES.items() for name in names} | {r: r for r in ROLES}
            | {name: group for group, (zh, en, _members) in ROLE_GROUPS.items() for name in (group, zh, en)})


def role_for_lane(lane: str | None) -> str | None:
    """The role a lane stands for: its name is a role id or a role's Chinese or English name (or a group's)."""
    return _BY_NAME.get((lane or "").strip())


def role_label(role: str, locale: str = "zh_CN") -> str:
    """A role's (or a role group's) name for people."""
    zh, en = ROLES.get(role) or ROLE_GROUPS.get(role, (role, role))[:2]
    return en if locale.startswith("en") else zh


def members_of(role: str | None) -> frozenset[str]:
    """The roles a task of this role is offered to: a group's roles, or the role itself."""
    return frozenset(offered_roles(role))


def offered_roles(role: str | None) -> list[str]:
    """The roles a task of this role is offered to, in the group's order (as people read them)."""
    if not role:
        return []
    return list(ROLE_GROUPS[role][2]) if role in ROLE_GROUPS else [role]


def acting_roles(role_ids) -> set[str]:
    """A user's roles and the groups they belong to through them: the task roles they may act on."""
    held = set(role_ids)
    return held | {group for group, (_zh, _en, members) in ROLE_GROUPS.items() if held.intersection(members)}


def is_role(name: str) -> bool:
    """Whether a name is a role id or a role group's id (both may stand in a task's role)."""
    return name in ROLES or name in ROLE_GROUPS
