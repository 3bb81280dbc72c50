"""A procedure as the national procedure database publishes it (Cơ sở dữ liệu quốc gia về thủ tục
hành chính, csdl.dichvucong.gov.vn; Decree 63/2010 Art. 24 as amended), turned into a draft of
our procedure file (procedures/*.yaml, app/domain/procedure_spec.py) for a person to review:
`flask procedures import-national FILE`. Pure: no Flask, no database.

Source of the field names: the national portal's sharing service "LayThuTuc" as a public
integration reads it — OpenCPS v2's DVCQG integration (`syncServiceInfo`, Java, public GitHub
code): MATTHC, TENTTHC, LINHVUCTHUCHIEN[MALINHVUC, TENLINHVUC], MACOQUANCONGBO,
COQUANTHUCHIEN[MADONVI, TENDONVI], CACHTHUCTHUCHIEN[KENH 1 trực tiếp / 2 trực tuyến / 3 bưu
chính, THOIGIAN[THOIGIANGIAIQUYET, DONVITINH, MOTA, PHILEPHI[MAPHILEPHI, SOTIEN, DONVI, MOTA]]],
TRINHTUTHUCHIEN[TRUONGHOP, TRINHTU[TENTRINHTU]], THANHPHANHOSO[GIAYTO[MAGIAYTO, TENGIAYTO,
TENMAUDON, URL]], YEUCAU, MOTADOITUONGTHUCHIEN, KETQUATHUCHIEN[MAKETQUA, TENKETQUA],
CANCUPHAPLY[SOVANBAN, TENVANBAN], TRANGTHAI (1: public). Keys are read in any case (the same
names appear as MaTTHC, TenTTHC in other codebases).
Not in that source, so read only if present and NOT verified: CAPTHUCHIEN (the level, "Cấp
Tỉnh/Huyện/Xã"), MUCDO (the online level: 3 or "Một phần", 4 or "Toàn trình"), a paper's
SOBANCHINH / SOBANSAO (copies). Every other key is reported as unknown.

What the national record does not hold — the English name, the internal process (who does
which step in how much time), the e-form — is left out of the draft, so the procedure file's own
validation names it for the reviewer; a choice made by default (a paper required, the agency's
kind read from its name) is written as a comment at the top of the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml

from app.domain.text import fold

# The keys read, upper case; anything else in the record is reported.
KNOWN = {"MATTHC", "TENTTHC", "LINHVUCTHUCHIEN", "MACOQUANCONGBO", "COQUANTHUCHIEN", "CACHTHUCTHUCHIEN",
         "TRINHTUTHUCHIEN", "THANHPHANHOSO", "YEUCAU", "MOTADOITUONGTHUCHIEN", "KETQUATHUCHIEN", "CANCUPHAPLY",
         "TRANGTHAI", "CAPTHUCHIEN", "MUCDO"}
_CHANNELS = {1: "counter", 2: "online", 3: "post"}
_UNITS = {"ngay lam viec": "working_days", "gio lam viec": "working_hours", "ngay": "calendar_days",
          "gio": "working_hours", "trong ngay": "same_day", "ngay lap tuc": "immediately",
          "ngay sau khi": "immediately"}
_LEVELS = {"tinh": "province", "huyen": "district", "xa": "commune"}
_SECTORS = {"tu phap": "justice", "xay dung": "construction", "ke hoach va dau tu": "planning_investment",
            "tai nguyen va moi truong": "natural_resources", "giao thong van tai": "transport"}


@dataclass
class Draft:
    """The draft procedure file's data, what the national record holds that the file has no key
    for (`unknown`), and the choices made by default that the reviewer must check (`notes`)."""

    data: dict
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return str(self.data.get("code", ""))

    @property
    def file_name(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", fold(self.data.get("name", {}).get("vi", ""))).strip("-")
        slug = re.sub(r"^thu-tuc-", "", slug)[:60].rstrip("-")
        return f"{self.code}-{slug or 'thu-tuc'}.yaml"


def _upper(value):
    """The record with every key upper case (MaTTHC, maTTHC and MATTHC are one key)."""
    if isinstance(value, dict):
        return {str(k).upper(): _upper(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_upper(v) for v in value]
    return value


def _list(value) -> list:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _text(value) -> str:
    return re.sub(r"\s+", " ", str(value)).strip() if value is not None else ""


def _key(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:40].rstrip("_") or "giay_to"
    if not base[0].isalpha():
        base = f"giay_to_{base}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def _number(value) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and number >= 0 else None


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def draft(record: dict) -> Draft:
    """The draft of one national record (a JSON object)."""
    record = _upper(record)
    out = Draft({})
    out.unknown = sorted(set(record) - KNOWN)
    data, notes = out.data, out.notes
    if record.get("MATTHC"):
        data["code"] = _text(record["MATTHC"])
    if record.get("TENTTHC"):
        data["name"] = {"vi": _text(record["TENTTHC"])}
    fields = [_text(f.get("TENLINHVUC")) for f in _list(record.get("LINHVUCTHUCHIEN")) if isinstance(f, dict)]
    if fields and fields[0]:
        data["field"] = fields[0]
    levels = [_LEVELS[w] for lv in _list(record.get("CAPTHUCHIEN"))
              for w in fold(_text(lv.get("TENCAP") if isinstance(lv, dict) else lv)).split() if w in _LEVELS]
    if len(set(levels)) == 1:
        data["level"] = levels[0]
    elif levels:
        notes.append(f"CAPTHUCHIEN có nhiều cấp ({', '.join(sorted(set(levels)))}): chọn level.")
    _agency(record, data, notes)
    _channels(record, data, notes)
    data["legal_basis"] = [_legal(b) for b in _list(record.get("CANCUPHAPLY")) if _legal(b)]
    subjects = fold(_text(record.get("MOTADOITUONGTHUCHIEN")))
    data["subjects"] = [s for s, words in (("citizen", ("cong dan", "ca nhan")),
                                           ("organisation", ("to chuc", "doanh nghiep")))
                        if any(w in subjects for w in words)]
    steps = []
    cases = _list(record.get("TRINHTUTHUCHIEN"))
    for case in cases:
        if not isinstance(case, dict):
            continue
        prefix = f"{_text(case.get('TRUONGHOP'))}: " if len(cases) > 1 and case.get("TRUONGHOP") else ""
        steps += [prefix + _text(s.get("TENTRINHTU")) for s in _list(case.get("TRINHTU"))
                  if isinstance(s, dict) and s.get("TENTRINHTU")]
    data["steps"] = steps
    results = [_text(r.get("TENKETQUA")) for r in _list(record.get("KETQUATHUCHIEN")) if isinstance(r, dict)]
    if any(results):
        data["result"] = "; ".join(r for r in results if r)
    data["documents"] = _documents(record, notes)
    if record.get("YEUCAU"):
        notes.append(f"Yêu cầu, điều kiện (YEUCAU) không có khóa trong tệp thủ tục: {_text(record['YEUCAU'])[:300]}")
    if record.get("MACOQUANCONGBO"):
        notes.append(f"Cơ quan công bố (MACOQUANCONGBO): {_text(record['MACOQUANCONGBO'])}.")
    if record.get("TRANGTHAI") not in (None, 1, "1"):
        notes.append(f"TRANGTHAI = {record['TRANGTHAI']}: thủ tục chưa (hoặc không còn) được công khai "
                     "trên CSDL quốc gia.")
    return out


def _agency(record: dict, data: dict, notes: list[str]) -> None:
    agencies = [a for a in _list(record.get("COQUANTHUCHIEN")) if isinstance(a, dict)]
    if not agencies:
        return
    name = _text(agencies[0].get("TENDONVI"))
    folded = fold(name)
    if "uy ban nhan dan" in folded:
        data["agency"] = {"kind": "committee"}
    elif folded.startswith(("so ", "phong ")):
        sector = next((s for words, s in _SECTORS.items() if words in folded), None)
        if sector is None:
            notes.append(f"Cơ quan thực hiện “{name}”: chưa có ngành tương ứng, ghi agency.sector.")
            data["agency"] = {"kind": "department"}
            return
        data["agency"] = {"kind": "department", "sector": sector}
    else:
        notes.append(f"Cơ quan thực hiện “{name}”: không suy ra được loại cơ quan, ghi agency.")
        return
    notes.append(f"agency suy ra từ tên cơ quan thực hiện “{name}”: kiểm tra lại.")


def _channels(record: dict, data: dict, notes: list[str]) -> None:
    methods, times, fees = [], [], {}
    for channel in _list(record.get("CACHTHUCTHUCHIEN")):
        if not isinstance(channel, dict):
            continue
        try:
            method = _CHANNELS.get(int(channel.get("KENH")))
        except (TypeError, ValueError):
            method = None
        if method and method not in methods:
            methods.append(method)
        for time in _list(channel.get("THOIGIAN")):
            if not isinstance(time, dict):
                continue
            times.append((method, time))
            for fee in _list(time.get("PHILEPHI")):
                amount = _number(fee.get("SOTIEN")) if isinstance(fee, dict) else None
                if amount is None:
                    continue
                name = _text(fee.get("MOTA")) or _text(fee.get("MAPHILEPHI")) or "Phí, lệ phí"
                fees.setdefault((name, int(amount)), {"name": name, "amount": int(amount)})
    if methods:
        data["methods"] = methods
    online = fold(_text(record.get("MUCDO")))
    if online in ("4", "toan trinh"):
        data["online"] = "full"
    elif online in ("3", "mot phan"):
        data["online"] = "partial"
    elif "online" in methods:
        data["online"] = "partial"
        notes.append("online: partial theo kênh trực tuyến (KENH 2); toàn trình thì sửa thành full.")
    elif methods:
        data["online"] = "none"
    if times:
        # the counter's time limit when the channels differ (the one a paper dossier is held to)
        _method, time = next((t for t in times if t[0] == "counter"), times[0])
        unit = _UNITS.get(fold(_text(time.get("DONVITINH"))))
        value = _number(time.get("THOIGIANGIAIQUYET"))
        if unit is None:
            notes.append(f"Đơn vị thời hạn “{_text(time.get('DONVITINH'))}” không rõ: ghi processing_time.unit.")
        else:
            data["processing_time"] = {"unit": unit}
            if unit not in ("same_day", "immediately") and value is not None:
                data["processing_time"]["value"] = _plain(value)
            if time.get("MOTA"):
                data["processing_time"]["note"] = _text(time["MOTA"])
        if len({(_text(t.get("THOIGIANGIAIQUYET")), _text(t.get("DONVITINH"))) for _m, t in times}) > 1:
            notes.append("Các kênh có thời hạn khác nhau: đã lấy thời hạn nộp trực tiếp.")
    data["fees"] = list(fees.values())


def _legal(basis) -> str:
    if not isinstance(basis, dict):
        return _text(basis)
    number, name = _text(basis.get("SOVANBAN")), _text(basis.get("TENVANBAN"))
    if number and number not in name:
        return f"{name} (số {number})" if name else number
    return name


def _documents(record: dict, notes: list[str]) -> list[dict]:
    documents, taken = [], set()
    for group in _list(record.get("THANHPHANHOSO")):
        for paper in _list(group.get("GIAYTO") if isinstance(group, dict) else None):
            if not isinstance(paper, dict) or not paper.get("TENGIAYTO"):
                continue
            originals, copies = _number(paper.get("SOBANCHINH")) or 0, _number(paper.get("SOBANSAO")) or 0
            copy = "original_or_copy" if originals and copies else "copy" if copies else "original"
            documents.append({"key": _key(_text(paper["TENGIAYTO"]), taken), "name": _text(paper["TENGIAYTO"]),
                              "copy": copy, "count": max(1, int(originals + copies)), "required": True})
            if paper.get("TENMAUDON"):
                notes.append(f"Mẫu đơn “{_text(paper['TENMAUDON'])}” của “{_text(paper['TENGIAYTO'])}”: tải về "
                             f"procedures/forms/ và ghi blank_form nếu dùng.")
    if documents:
        notes.append("Mọi thành phần hồ sơ được ghi required: true và số lượng theo SOBANCHINH/SOBANSAO "
                     "(mặc định 1 bản chính): kiểm tra lại.")
    return documents


def to_yaml(out: Draft, source: str) -> str:
    """The draft as the text of a procedure file, its notes as comments at the top."""
    lines = [f"# Bản nháp nhập từ CSDL quốc gia về TTHC ({source}) bằng `flask procedures import-national`.",
             "# Rà soát, bổ sung rồi chạy `flask procedures load`: chưa có gì được công bố.",
             "# - CSDL quốc gia không có: tên tiếng Anh (name.en), quy trình nội bộ (process), "
             "biểu mẫu điện tử (form)."]
    lines += [f"# - {note}" for note in out.notes]
    if out.unknown:
        lines.append(f"# - Trường không dùng đến: {', '.join(out.unknown)}.")
    body = yaml.safe_dump(out.data, allow_unicode=True, sort_keys=False, width=110)
    return "\n".join(lines) + "\n" + body
