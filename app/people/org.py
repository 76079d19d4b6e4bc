"""The organisation tree: district → street → community → grid; the district's departments sit beside its streets."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base

KINDS = ("district", "street", "community", "grid", "department")
# A district department (区级职能部门): a child of its district with no communities below; needs reach it by dispatch.
DEPARTMENT = "department"


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)

    parent: Mapped["Organisation | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Organisation"]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Organisation {self.code}>"
