"""Names of the administrative structure: levels, kinds of agency, roles.

Pure: no Flask, no database. Vietnamese labels live here so that every page, PDF and API
shows the same words (the top complaint in OpenCPS was labels that differed by screen).
"""
from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """Levels of local government (Law on Local Government Organisation 2015; since 1 Jul 2025
    Law 72/2025/QH15 keeps only province and commune — the code never assumes three levels)."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"

    @property
    def label(self) -> str:
        return {"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}[self.value]


class AgencyKind(StrEnum):
    ONE_STOP = "one_stop"      # Bộ phận Một cửa / Trung tâm Phục vụ hành chính công
    DEPARTMENT = "department"  # Sở (province) or Phòng chuyên môn (district)
    COMMITTEE = "committee"    # Ủy ban nhân dân

    @property
    def label(self) -> str:
        return {
            "one_stop": "Bộ phận Một cửa",
            "department": "Cơ quan chuyên môn",
            "committee": "Ủy ban nhân dân",
        }[self.value]


class Role(StrEnum):
    """Roles of a member of an agency (Decree 61/2018 Art. 8–9, 21; Decree 118/2025)."""

    RECEPTION = "reception"    # công chức tiếp nhận tại Bộ phận Một cửa
    SPECIALIST = "specialist"  # chuyên viên thụ lý
    LEADER = "leader"          # lãnh đạo phê duyệt
    CLERK = "clerk"            # văn thư
    ADMIN = "admin"            # quản trị hệ thống

    @property
    def label(self) -> str:
        return {
            "reception": "Cán bộ tiếp nhận",
            "specialist": "Chuyên viên",
            "leader": "Lãnh đạo",
            "clerk": "Văn thư",
            "admin": "Quản trị",
        }[self.value]


# Sector of a specialised department, and its office's name at each level
# (province Sở; district Phòng, pre-2025 organisation under Decree 37/2014 as amended by 108/2020).
SECTORS: dict[str, dict[str, str]] = {
    "justice": {"province": "Sở Tư pháp", "district": "Phòng Tư pháp"},
    "construction": {"province": "Sở Xây dựng", "district": "Phòng Quản lý đô thị / Kinh tế - Hạ tầng"},
    "planning_investment": {"province": "Sở Kế hoạch và Đầu tư", "district": "Phòng Tài chính - Kế hoạch"},
    "natural_resources": {"province": "Sở Tài nguyên và Môi trường", "district": "Phòng Tài nguyên và Môi trường"},
    "transport": {"province": "Sở Giao thông vận tải", "district": "Phòng Kinh tế - Hạ tầng"},
}


def agency_type_label(level: str, kind: str, sector: str | None = None) -> str:
    """A generic name for "the agency of this kind at this level", as a catalogue shows it:
    the same procedure is resolved by every commune's People's Committee, for instance."""
    level_word = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}[level]
    if kind == AgencyKind.DEPARTMENT and sector in SECTORS and level in SECTORS[sector]:
        name = SECTORS[sector][level]
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
