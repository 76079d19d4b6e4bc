"""The demo dataset of api.md: 芝罘区 → 幸福街道 → 南山 / 北山, and one user per role."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CommunityRegister, Organisation, User, UserRole
from .people.passwords import hash_password

ORGANISATIONS = [
    ("zhifu", "芝罘区", "district", None),
    ("xingfu", "幸福街道", "street", "zhifu"),
    ("nanshan", "南山社区", "community", "xingfu"),
    ("beishan", "北山社区", "community", "xingfu"),
] + [(f"{c}-{n}", f"{name}第{n}网格", "grid", c)
     for c, name in (("nanshan", "南山"), ("beishan", "北山")) for n in (1, 2, 3)]

USERS = [
    ("resident1", "南山居民张阿姨", "resident", "nanshan"),
    ("grid1", "南山网格员李明", "grid_worker", "nanshan"),
    ("worker1", "南山社工王芳", "community_worker", "nanshan"),
    ("worker2", "北山社工赵强", "community_worker", "beishan"),
    ("secretary1", "南山党委书记刘书记", "party_secretary", "nanshan"),
    *[(f"committee{n}", f"南山两委委员{n}", "committee_member", "nanshan") for n in range(1, 6)],
    ("supervisor1", "南山居务监督委员会", "supervision_committee", "nanshan"),
    ("street1", "幸福街道办", "street_officer", "xingfu"),
    ("district1", "芝罘区民政局", "district_department", "zhifu"),
    ("provider1", "南山物业服务中心", "provider", "nanshan"),
    ("volunteer1", "志愿者陈晨", "volunteer", "nanshan"),
    ("evaluator1", "第三方评估机构", "evaluator", "zhifu"),
    ("designer1", "流程设计员", "designer", "zhifu"),
    ("auditor1", "审计员", "auditor", "zhifu"),
    ("admin", "系统管理员", "admin", "zhifu"),
]


# Members on record: 南山 per api.md (7 two-committee members, 40 party members, 30 representatives).
REGISTERS = {"party_committee": 5, "two_committees": 7, "party_members": 40, "representatives": 30, "residents": 600}


def is_empty(session: Session) -> bool:
    """Whether the database has no people yet."""
    return session.scalar(select(User.id).limit(1)) is None


def load_demo(session: Session, password: str) -> None:
    """Add the demo organisations and users (every user shares one password hash)."""
    orgs: dict[str, Organisation] = {}
    for code, name, kind, parent in ORGANISATIONS:
        orgs[code] = Organisation(code=code, name=name, kind=kind, parent=orgs.get(parent))
        session.add(orgs[code])
    session.flush()
    for community in ("nanshan", "beishan"):
        for body, members in REGISTERS.items():
            session.add(CommunityRegister(community_id=orgs[community].id, body=body, members=members))
    password_hash = hash_password(password)
    for username, display, role, org in USERS:
        user = User(username=username, display_name=display, password_hash=password_hash, org=orgs[org])
        user.roles.append(UserRole(role=role))
        session.add(user)
    session.flush()


def backfill_registers(session: Session) -> int:
    """Give demo communities their registers when an older demo database lacks them."""
    added = 0
    for community in session.scalars(select(Organisation).where(Organisation.code.in_(("nanshan", "beishan")))):
        known = set(session.scalars(select(CommunityRegister.body).where(CommunityRegister.community_id == community.id)))
        for body, members in REGISTERS.items():
            if body not in known:
                session.add(CommunityRegister(community_id=community.id, body=body, members=members))
                added += 1
    return added
