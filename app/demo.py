"""The demo dataset of api.md: 芝罘区 → 幸福街道 → 南山 / 北山, and one user per role."""
from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.modules.decision.models import MemberStatus, RegisterMember
from app.people.org import Organisation
from app.modules.lists.models import Resource
from app.people.models import User, UserRole
from app.people.passwords import hash_password

ORGANISATIONS = [
    ("zhifu", "芝罘区", "district", None),
    ("xingfu", "幸福街道", "street", "zhifu"),
    ("nanshan", "南山社区", "community", "xingfu"),
    ("beishan", "北山社区", "community", "xingfu"),
] + [(f"{c}-{n}", f"{name}第{n}网格", "grid", c)
     for c, name in (("nanshan", "南山"), ("beishan", "北山")) for n in (1, 2, 3)]
# The district's departments (区级职能部门), each with one user: a street dispatches (派单) needs to them. The
# first takes the needs a street lets run late (超时督办 / 提级办理).
DEPARTMENTS = [
    ("zhifu-mz", "芝罘区民政局", "district1"),
    ("zhifu-cg", "芝罘区城市管理局", "district2"),
    ("zhifu-zj", "芝罘区住房和城乡建设局", "district3"),
    ("zhifu-scjg", "芝罘区市场监督管理局", "district4"),
]
ORGANISATIONS += [(code, name, "department", "zhifu") for code, name, _user in DEPARTMENTS]

USERS = [
    ("resident1", "南山居民张阿姨", "resident", "nanshan"),
    ("grid1", "南山网格员李明", "grid_worker", "nanshan"),
    ("worker1", "南山社工王芳", "community_worker", "nanshan"),
    ("worker2", "北山社工赵强", "community_worker", "beishan"),
    ("secretary1", "南山党委书记刘书记", "party_secretary", "nanshan"),
    *[(f"committee{n}", f"南山两委委员{n}", "committee_member", "nanshan") for n in range(1, 6)],
    ("supervisor1", "南山居务监督委员会", "supervision_committee", "nanshan"),
    ("street1", "幸福街道办", "street_officer", "xingfu"),
    ("district1", "芝罘区民政局", "district_department", "zhifu-mz"),
    ("district2", "芝罘区城市管理局", "district_department", "zhifu-cg"),
    ("district3", "芝罘区住房和城乡建设局", "district_department", "zhifu-zj"),
    ("district4", "芝罘区市场监督管理局", "district_department", "zhifu-scjg"),
    ("provider1", "南山物业服务中心", "provider", "nanshan"),
    ("volunteer1", "志愿者陈晨", "volunteer", "nanshan"),
    # 微心愿 claimers besides volunteers: a registered party member (在职党员双报到), a unit and a business of 南山
    ("partymember1", "在职党员孙丽", "party_member", "nanshan"),
    ("unit1", "南山供电所", "unit", "nanshan"),
    ("business1", "南山便民超市", "business", "nanshan"),
    ("evaluator1", "第三方评估机构", "evaluator", "zhifu"),
    ("designer1", "流程设计员", "designer", "zhifu"),
    ("auditor1", "审计员", "auditor", "zhifu"),
    ("admin", "系统管理员", "admin", "zhifu"),
]


# The registers (花名册), per api.md: 5 party-committee members, 7 two-committee members, 40 party members,
# 30 residents' representatives and 600 households (户代表). Names are made up; the figures are what tests count.
REGISTERS = {"party_committee": 5, "two_committees": 7, "party_members": 40, "representatives": 30, "residents": 600}
# Accounts on 南山's registers (the rest have none): the secretary chairs both committees; committee1…5 sit on the
# two committees, so six of its seven members vote online and the clerk records the seventh.
REGISTER_ACCOUNTS = {"party_committee": ["secretary1"],
                     "two_committees": ["secretary1", "committee1", "committee2", "committee3", "committee4",
                                        "committee5"]}
# Party members who may be excused at a meeting (the rest are 在册): two 流动党员, one abroad, one on leave.
PARTY_MEMBER_STATUSES = {36: MemberStatus.AWAY, 37: MemberStatus.AWAY, 38: MemberStatus.ABROAD,
                         39: MemberStatus.ON_LEAVE}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
_GIVEN = ["建国", "秀英", "志强", "桂兰", "海燕", "明华", "淑珍", "国庆", "丽华", "文博", "春梅", "玉兰", "德胜",
          "晓东", "红霞", "振华", "凤英", "永刚", "雪梅", "宏伟"]

# The resources list (资源清单): one of each kind per community, for designing projects.
RESOURCES = [
    ("nanshan", "unit", "南山供电所", "张所长 0535-6210001", "电力检修，每月一次共建服务日", "辖区共建单位，负责楼道、路灯线路检修"),
    ("nanshan", "organisation", "南山邻里互助社", "李社长 13800000001", "专职社工 3 人", "社会组织，承接助老、助残微项目"),
    ("nanshan", "volunteer", "南山红马甲志愿服务队", "陈队长 13800000002", "志愿者 45 人", "楼院巡查、助老陪诊、环境整治"),
    ("nanshan", "venue", "南山党群服务中心活动室", "社区前台 0535-6210002", "80 平方米，可容纳 40 人", "工作日 8:30-17:30 开放，可预约"),
    ("nanshan", "fund", "南山社区微基金", "社区财务 0535-6210003", "年度财政资金 5 万元", "1+X 微基金：财政资金加社会捐赠"),
    ("beishan", "unit", "北山中学", "王校长 0535-6220001", "操场、礼堂节假日开放", "辖区共建单位"),
    ("beishan", "organisation", "北山乐龄服务中心", "赵主任 13800000003", "专职社工 2 人", "社会组织，承接居家养老服务"),
    ("beishan", "volunteer", "北山夕阳红志愿服务队", "孙队长 13800000004", "志愿者 30 人", "文明劝导、邻里调解"),
    ("beishan", "venue", "北山社区议事厅", "社区前台 0535-6220002", "50 平方米，可容纳 30 人", "民情议事、居民代表会议"),
    ("beishan", "fund", "北山社区微基金", "社区财务 0535-6220003", "年度财政资金 3 万元", "1+X 微基金"),
]


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
    password_hash = hash_password(password)
    for username, display, role, org in USERS:
        user = User(username=username, display_name=display, password_hash=password_hash, org=orgs[org])
        user.roles.append(UserRole(role=role))
        session.add(user)
    session.flush()
    for community in ("nanshan", "beishan"):
        add_register_members(session, orgs[community], REGISTERS)
    for community, kind, name, contact, capacity, description in RESOURCES:
        session.add(Resource(community_id=orgs[community].id, kind=kind, name=name, contact=contact,
                             capacity=capacity, description=description))
    session.flush()


def backfill_departments(session: Session, password: str) -> int:
    """Give an older demo database its departments: add the missing ones and their users (district1 moves in)."""
    district = session.scalars(select(Organisation).where(Organisation.code == "zhifu")).first()
    if district is None:
        return 0
    known = {o.code: o for o in session.scalars(select(Organisation).where(Organisation.kind == "department"))}
    users = {u.username: u for u in session.scalars(select(User).where(
        User.username.in_([u for _c, _n, u in DEPARTMENTS])))}
    added = 0
    for code, name, username in DEPARTMENTS:
        if code in known:
            continue
        known[code] = Organisation(code=code, name=name, kind="department", parent=district)
        session.add(known[code])
        added += 1
        user = users.get(username)
        if user is None:
            user = User(username=username, display_name=name, password_hash=hash_password(password))
            user.roles.append(UserRole(role="district_department"))
            session.add(user)
        if user.org is None or user.org.kind == "district":
            user.org = known[code]
    session.flush()
    return added


def backfill_registers(session: Session) -> int:
    """Give demo communities their registers when an older demo database lacks them (or kept placeholders)."""
    added = 0
    for community in session.scalars(select(Organisation).where(Organisation.code.in_(("nanshan", "beishan")))):
        known = set(session.scalars(select(RegisterMember.body).where(
            RegisterMember.community_id == community.id, RegisterMember.name.not_like("待补录成员%"))))
        missing = {body: size for body, size in REGISTERS.items() if body not in known}
        added += add_register_members(session, community, missing, replace_placeholders=True)
    return added


def add_register_members(session: Session, community: Organisation, sizes: dict[str, int],
                         replace_placeholders: bool = False) -> int:
    """Named demo members for each body (one bulk insert): grids in turn, made-up phones, a few accounts."""
    grids = list(session.scalars(select(Organisation.id).where(Organisation.parent_id == community.id,
                                                               Organisation.kind == "grid").order_by(Organisation.code)))
    accounts = dict(session.execute(select(User.username, User.id)).all()) if community.code == "nanshan" else {}
    if replace_placeholders and sizes:
        session.execute(delete(RegisterMember).where(RegisterMember.community_id == community.id,
                                                     RegisterMember.body.in_(sizes),
                                                     RegisterMember.name.like("待补录成员%")))
    rows = []
    for offset, (body, size) in enumerate(sizes.items()):
        linked = [accounts.get(u) for u in REGISTER_ACCOUNTS.get(body, [])] if accounts else []
        for n in range(size):
            status = PARTY_MEMBER_STATUSES.get(n, MemberStatus.ON_RECORD) if body == "party_members" else "on_record"
            rows.append({"community_id": community.id, "body": body, "name": _demo_name(n + offset * 7, community),
                         "grid_id": grids[n % len(grids)] if grids else None, "phone": f"138{offset:02d}{n:06d}",
                         "affiliation": "", "status": str(status), "joined_on": date(2024, 1, 1), "left_on": None,
                         "user_id": linked[n] if n < len(linked) else None, "updated_at": utcnow()})
    if rows:
        session.execute(insert(RegisterMember), rows)
    return len(rows)


def _demo_name(n: int, community: Organisation) -> str:
    """A made-up name, different for each n below 600 (and per community)."""
    n += 13 if community.code == "beishan" else 0
    return _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n // len(_SURNAMES)) % len(_GIVEN)]
