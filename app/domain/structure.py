"""Names of the administrative structure: levels, kinds of agency, roles.

Pure: no Flask, no database. Each value carries its Vietnamese label (app/domain/vocabulary.py).
"""
from __future__ import annotations

from app.domain import N_
from app.domain.vocabulary import Vocabulary


class Level(Vocabulary):
    """Levels of local government (Law on Local Government Organisation 2015; since 1 Jul 2025
    Law 72/2025/QH15 keeps only province and commune — the code never assumes three levels)."""

    PROVINCE = "province", N_("Cấp tỉnh")
    DISTRICT = "district", N_("Cấp huyện")
    COMMUNE = "commune", N_("Cấp xã")


class AgencyKind(Vocabulary):
    ONE_STOP = "one_stop", N_("Bộ phận Một cửa")          # Bộ phận Một cửa / Trung tâm Phục vụ hành chính công
    DEPARTMENT = "department", N_("Cơ quan chuyên môn")  # Sở (province) or Phòng chuyên môn (district)
    COMMITTEE = "committee", N_("Ủy ban nhân dân")       # Ủy ban nhân dân


class Role(Vocabulary):
    """Roles of a member of an agency (Decree 61/2018 Art. 8–9, 21; Decree 118/2025)."""

    RECEPTION = "reception", N_("Cán bộ tiếp nhận")  # công chức tiếp nhận tại Bộ phận Một cửa
    SPECIALIST = "specialist", N_("Chuyên viên")     # chuyên viên thụ lý
    LEADER = "leader", N_("Lãnh đạo")                # lãnh đạo phê duyệt
    CLERK = "clerk", N_("Văn thư")                   # văn thư
    ADMIN = "admin", N_("Quản trị")                  # quản trị hệ thống


class Sector(Vocabulary):
    """Sector of a specialised department, labelled by its province office (Sở), with its
    district office (Phòng; pre-2025 organisation under Decree 37/2014 as amended by 108/2020)."""

    JUSTICE = "justice", "Sở Tư pháp", "Phòng Tư pháp"
    CONSTRUCTION = "construction", "Sở Xây dựng", "Phòng Quản lý đô thị / Kinh tế - Hạ tầng"
    PLANNING_INVESTMENT = "planning_investment", "Sở Kế hoạch và Đầu tư", "Phòng Tài chính - Kế hoạch"
    NATURAL_RESOURCES = "natural_resources", "Sở Tài nguyên và Môi trường", "Phòng Tài nguyên và Môi trường"
    TRANSPORT = "transport", "Sở Giao thông vận tải", "Phòng Kinh tế - Hạ tầng"

    @property
    def district_office(self) -> str:
        return self.more[0]

    def office(self, level: str) -> str | None:
        """The department's name at `level` (a commune has none)."""
        return {Level.PROVINCE: self.label, Level.DISTRICT: self.district_office}.get(level)


def agency_type_label(level: str, kind: str, sector: str | None = None) -> str:
    """A generic name for "the agency of this kind at this level", as a catalogue shows it:
    the same procedure is resolved by every commune's People's Committee, for instance."""
    level_word = Level(level).label.lower()
    name = Sector(sector).office(level) if kind == AgencyKind.DEPARTMENT and Sector.known(sector) else None
    if name:
        return name if level == Level.PROVINCE else f"{name} ({level_word})"
    if kind == AgencyKind.COMMITTEE:
        return f"Ủy ban nhân dân {level_word}"
    return f"{AgencyKind(kind).label} {level_word}"


def signing_capacity(kind: str, level: str) -> tuple[str | None, str]:
    """How the head of an agency signs a result it issues: (the "TM." line or None, the title).

    Decree 30/2020/NĐ-CP Art. 13 and Appendix I (part II, the signature block): the head of a
    body that decides collectively signs on its behalf, "TM." above the title — a People's
    Committee: "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH"; the head of an agency run by its head signs
    with the title alone: "GIÁM ĐỐC" of a province department (Sở), "TRƯỞNG PHÒNG" of a
    district office (Phòng). A deputy signs "KT." above the head's title, but the portal
    records no position of a leader (chairman or vice-chairman), so "KT." is never printed.
    [R] The titles are written from the Decree's sample signature blocks as recalled, not
    re-read in this change; the one-stop desk issues no result and gets the generic title.
    """
    if kind == AgencyKind.COMMITTEE:
        return "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
    if kind == AgencyKind.DEPARTMENT:
        return None, "GIÁM ĐỐC" if level == Level.PROVINCE else "TRƯỞNG PHÒNG"
    return None, "THỦ TRƯỞNG CƠ QUAN"
