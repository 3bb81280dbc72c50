"""Names of the administrative structure: levels, kinds of agency, roles.

Pure: no Flask, no database. Each value carries its Vietnamese label (app/domain/vocabulary.py).
"""
from __future__ import annotations

import re

from app.domain import N_, msg
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


# --- agency identifiers (mã định danh điện tử, QĐ 20/2020/QĐ-TTg) -------------------------

AGENCY_CODE_MAX = 35
_LEVEL_1 = re.compile(r"[A-Z]\d{2}")
_GROUPS = (re.compile(r"\d{3}"), re.compile(r"\d{2}"), re.compile(r"\d{2}"))  # V1V2V3, Z1Z2, Y1Y2


def agency_code_depth(code: str) -> int | None:
    """The level (1–4) of a well-formed identifier `V1V2V3.Z1Z2.Y1Y2.M1X1X2`, or None.
    Level 1 is `000.00.00.M`, level 2 numbers Y1Y2, level 3 adds Z1Z2, level 4 adds V1V2V3;
    a level's number is never set without the level above it (`000.05.00.H62` is malformed)."""
    parts = code.split(".")
    if len(parts) != 4 or not _LEVEL_1.fullmatch(parts[3]):
        return None
    groups = parts[:3]
    if not all(pattern.fullmatch(group) for pattern, group in zip(_GROUPS, groups, strict=True)):
        return None
    set_levels = [int(group) != 0 for group in reversed(groups)]  # Y, Z, V: level 2, 3, 4
    depth = 1 + sum(set_levels)
    return depth if set_levels == sorted(set_levels, reverse=True) else None


def agency_code_problem(code: str, level: str, parent_code: str | None) -> str | None:
    """What is wrong with `code` as the identifier of an agency at administrative `level`
    under the agency `parent_code` (None: a top agency), or None when it is right.

    QĐ 20/2020/QĐ-TTg (mã định danh điện tử của các cơ quan, tổ chức), its article on the
    identifier's structure and its appendix of level-1 codes, as amended by QĐ 09/2025/QĐ-TTg
    (the ministries' level-1 codes, G01 Bộ Công an ...). LEGAL.md §6 [V] gives the length and the
    level-1 form; the four levels are the structure of QCVN 102:2016/BTTTT that the Decision
    keeps, as a province's list applies it (Quảng Ninh QĐ 3739/QĐ-UBND, 2016: `V1V2V3.Z1Z2.Y1Y2.H49`,
    `000.00.00.H49` its People's Committee) [V: read in those texts' published copies; R: the
    article's number, Art. 4, is recalled, the Decision's own text was not at hand]:
    - at most 35 characters, groups separated by dots;
    - `V1V2V3.Z1Z2.Y1Y2.M1X1X2`: M1X1X2 the level-1 code (one capital letter, two digits:
      `H62` Vĩnh Phúc, `G01` a ministry), Y1Y2 the level-2 number, Z1Z2 level 3, V1V2V3 level 4,
      each "0…0" when the agency is not that deep;
    - an agency of level n+1 is one directly under an agency of level n, so its identifier
      repeats its parent's and numbers one level more;
    - the level-1 code belongs to the province (or ministry) itself: only a province's top
      agency stands without a parent.
    """
    code = code.strip()
    if not code:
        return N_("Vui lòng nhập mã định danh.")
    if len(code) > AGENCY_CODE_MAX:
        return msg("Mã định danh dài tối đa %(n)s ký tự (QĐ 20/2020/QĐ-TTg).", n=AGENCY_CODE_MAX)
    depth = agency_code_depth(code)
    if depth is None:
        return N_("Mã định danh phải có dạng V1V2V3.Z1Z2.Y1Y2.M1X1X2 (ví dụ 000.00.01.H62), "
                  "số của một cấp chỉ có khi đã có số của cấp trên (QĐ 20/2020/QĐ-TTg).")
    if parent_code is None:
        if level != Level.PROVINCE or depth != 1:
            return N_("Chỉ cơ quan cao nhất của tỉnh (mã cấp 1, dạng 000.00.00.M1X1X2) không có cơ quan cấp trên.")
        return None
    parent_depth = agency_code_depth(parent_code)
    if parent_depth is None:
        return N_("Mã định danh của cơ quan cấp trên không đúng cấu trúc QĐ 20/2020/QĐ-TTg.")
    if parent_depth == 4:
        return N_("Cơ quan cấp trên đã ở cấp 4, cấp cuối của mã định danh: không thể có đơn vị trực thuộc có mã.")
    if depth != parent_depth + 1:
        return msg("Cơ quan trực thuộc cơ quan cấp %(parent)s phải có mã cấp %(child)s.", parent=parent_depth,
                   child=parent_depth + 1)
    child, parent = code.split("."), parent_code.split(".")
    kept = {1: [3], 2: [3, 2], 3: [3, 2, 1]}[parent_depth]  # the parent's groups the child repeats
    if any(child[i] != parent[i] for i in kept):
        return msg("Mã định danh phải giữ phần mã của cơ quan cấp trên (%(code)s).", code=parent_code)
    return None
