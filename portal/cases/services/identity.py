"""Who a case is from and whom it accuses: the clerk's answer to “可能是同一人”, the clerk's edit of a petitioner's
current details, the accused person or unit (条例 art.30), and the explicit, audited 显示 of a petitioner's full
contact details."""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.models import User
from portal.cases.accused import Accused, CadreLevel
from portal.cases.models import ADDRESS_MAX, Case, Petitioner
from portal.cases.services import steps
from portal.cases.services.registration import identity_suggestions
from portal.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.org.models import Department
from portal.protection import matches
from portal.validation import contact, limited


def confirm_petitioner(
    case: Case, actor: User, *, petitioner_id: int | None, expected_version: int | None = None
) -> Case:
    """同一人: the case moves to the known petitioner ``petitioner_id`` (one of the suggestions), whose details stay
    as they are; the petitioner the submission created goes when no other case has it. ``None`` keeps them apart."""
    steps.begin(case, actor, "confirm_petitioner", expected_version)
    suggestions = {p.id: p for p in identity_suggestions(case)}
    case.identity_unconfirmed = False
    if petitioner_id is None:
        steps.log(case, actor, "confirm_petitioner", title="核对信访人身份", public=False, text="经核对，不是同一人。")
        return case
    known = suggestions.get(petitioner_id)
    if known is None:
        raise DomainError("所选信访人不在可能是同一人的名单中。")
    given = case.petitioner
    case.petitioner = known
    db.session.flush()
    if not db.session.execute(db.select(Case.id).filter_by(petitioner_id=given.id)).first():
        db.session.delete(given)
    steps.log(
        case,
        actor,
        "confirm_petitioner",
        title="核对信访人身份",
        public=False,
        text="经核对为同一人，已归入原信访人名下。",
        petitioner_id=known.id,
        replaced_petitioner_id=given.id,
    )
    return case


def edit_petitioner(
    case: Case,
    actor: User,
    *,
    name: str = "",
    phone: str = "",
    id_number: str = "",
    address: str = "",
    expected_version: int | None = None,
) -> Petitioner:
    """A clerk changes the petitioner's current details (blank: unchanged). The audit row names the fields that
    changed, never their values; the details given with each earlier case stay as they were given."""
    steps.begin(case, actor, "edit_petitioner", expected_version)
    petitioner = case.petitioner
    phone_value, id_value = contact(phone or None, id_number or None)
    changes = {
        "name": limited(name, "姓名", 50).strip(),
        "phone": phone_value,
        "id_number": id_value,
        "address": limited(address, "住址", ADDRESS_MAX).strip(),
    }
    changed = [field for field, value in changes.items() if value and value != getattr(petitioner, field)]
    if not changed:
        raise DomainError("没有要修改的信息。")
    if "id_number" in changed:
        other = db.session.execute(
            db.select(Petitioner).where(
                Petitioner.id != petitioner.id, matches(Petitioner.id_number_index, "id_number", id_value)
            )
        ).scalar()
        if other is not None:
            raise DomainError("该身份证号已属于另一信访人；如为同一人，请在信访件上核对合并。")
    for field in changed:
        setattr(petitioner, field, changes[field])
    labels = {"name": "姓名", "phone": "联系电话", "id_number": "身份证号", "address": "住址"}
    steps.log(
        case,
        actor,
        "edit_petitioner",
        title="修改信访人信息",
        public=False,
        text="修改了" + "、".join(labels[f] for f in changed) + "。",
        petitioner_id=petitioner.id,
        fields=",".join(changed),
    )
    return petitioner


def record_accused(
    case: Case,
    actor: User,
    *,
    name: str = "",
    post: str = "",
    username: str = "",
    unit_id: int | None = None,
    cadre_level: CadreLevel | None = None,
    expected_version: int | None = None,
) -> Accused:
    """Record whom the case accuses. From then on the accused person and everyone in the accused unit are outside
    its seal: they may not hold it, own it, sign or review it, or see that it exists."""
    steps.begin(case, actor, "record_accused", expected_version)
    name, post = limited(name, "被检举控告人姓名", 50).strip(), limited(post, "职务", 100).strip()
    user = None
    if username.strip():
        user = db.session.execute(db.select(User).filter_by(username=username.strip())).scalar()
        if user is None:
            raise DomainError("没有这个用户名的账号。")
    unit = None
    if unit_id is not None:
        unit = db.session.get(Department, unit_id)
        if unit is None:
            raise DomainError("所选单位不存在。")
    if not (name or user or unit):
        raise DomainError("请填写被检举控告人或被检举控告单位。")
    accused = Accused(
        name=name or (user.name if user else ""), post=post, user=user, unit=unit, cadre_level=cadre_level
    )
    _refuse_holders(case, accused)
    case.accused.append(accused)
    db.session.flush()
    steps.log(
        case,
        actor,
        "record_accused",
        title="记录被检举控告对象",
        public=False,
        text=accused.summary,
        accused_id=accused.id,
    )
    return accused


def _refuse_holders(case: Case, accused: Accused) -> None:
    """The accused may not be the one already holding the case: its department, reviewer, owner or handler."""
    if accused.unit is not None and accused.unit.id in (case.department_id, case.reviewing_department_id):
        raise DomainError(f"该件正由{accused.unit.name}办理，不能由被检举控告单位办理；请先与办理机关协调改交。")
    holders = {case.owner_leader, case.handler}
    for holder in (h for h in holders if h is not None):
        if holder.id == getattr(accused.user, "id", None) or (
            accused.unit is not None and holder.department_id == accused.unit.id
        ):
            raise DomainError("被检举控告人或其所在单位的人员正在办理或包案该件，请先改交后再记录。")


@dataclass(frozen=True)
class Identity:
    """A petitioner's full contact details, for the one who asked to see them."""

    name: str
    phone: str
    id_number: str
    address: str


def reveal_identity(case: Case, actor: User) -> Identity:
    """The petitioner's full contact details for an entitled ``actor``; the caller records the read (audited)."""
    if not case.can_reveal_identity(actor):
        raise NotAllowed("您无权查看该信访人的完整联系方式。")
    petitioner = case.petitioner
    return Identity(petitioner.name, petitioner.phone or "", petitioner.id_number or "", petitioner.address or "")
