"""Builders for tests: files, complete inputs, the demo office's staff, and a dossier in each state
(`birth_in(state, office)`), built through the real services as a user would."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

import pikepdf
from flask import current_app
from PIL import Image
from rq import SimpleWorker
from werkzeug.datastructures import FileStorage

from app.models import Dossier, User
from app.queue import queues
from app.services import catalogue, dossiers, processing
from app.services.demo import DemoAgency
from app.services.dossiers import Applicant, DraftInput


def pdf_bytes(title: str = "") -> bytes:
    """A real one-page PDF (the store parses what it accepts); `title` makes it unique."""
    buffer, pdf = BytesIO(), pikepdf.new()
    pdf.add_blank_page()
    if title:
        pdf.docinfo["/Title"] = title
    pdf.save(buffer)
    return buffer.getvalue()


def image_bytes(size: tuple[int, int] = (8, 8), kind: str = "PNG") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, "white").save(buffer, kind)
    return buffer.getvalue()


PDF = pdf_bytes()
PNG = image_bytes()
EXE = b"MZ\x90\x00" + b"\x00" * 64
BIRTH = "1.001193"           # commune level, fully online
TICH_SON_DESK = DemoAgency.TICH_SON_DESK  # Bộ phận Một cửa phường Tích Sơn
LIEN_BAO_DESK = DemoAgency.LIEN_BAO_DESK  # Bộ phận Một cửa phường Liên Bảo

BIRTH_FORM = {
    "applicant_full_name": "Nguyễn Văn An", "applicant_id_number": "026090001234", "relationship": "cha",
    "child_full_name": "Nguyễn Minh Khôi", "child_birth_date": "2025-11-20", "child_sex": "nam",
    "child_birth_place": "Bệnh viện Sản Nhi tỉnh Vĩnh Phúc", "mother_full_name": "Trần Thị Bình",
}


def run_queued_jobs() -> None:
    """Run the queued jobs now, as `flask worker` would (with REDIS_URL); inline they already ran."""
    queue = current_app.extensions["rq_queue"]
    if queue is not None:
        SimpleWorker(queues(queue), connection=queue.connection).work(burst=True)


def upload(data: bytes = PDF, name: str = "to-khai.pdf") -> FileStorage:
    return FileStorage(stream=BytesIO(data), filename=name)


def birth_input(**overrides) -> DraftInput:
    values = {
        "applicant": Applicant("Nguyễn Văn An", "026090001234", "Phường Tích Sơn, thành phố Vĩnh Yên", "0912345678",
                               "an@motcua.example"),
        "form_data": dict(BIRTH_FORM), "delivery": "online",
        "uploads": {"to_khai": [upload()], "giay_chung_sinh": [upload(PNG, "chung-sinh.png")]},
    }
    values.update(overrides)
    return DraftInput(**values)


def submitted_birth(citizen, desk: str = TICH_SON_DESK, now=None):
    """A birth registration sent online: it has its submission reference, no code yet (the
    desk gives the code when it accepts the dossier)."""
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(citizen, version, desk)
    dossiers.save_draft(dossier, citizen, birth_input(), dossier.lock_version)
    return dossiers.submit(dossier, citizen, now=now)


@dataclass(frozen=True)
class Office:
    """A citizen and the Tích Sơn staff who take a commune dossier from the desk to its return."""
    citizen: User
    desk: User
    specialist: User
    leader: User
    clerk: User


def tich_son(make_user: Callable[..., User]) -> Office:
    """The office, from the `make_user` fixture."""
    return Office(make_user(), make_user("reception", DemoAgency.TICH_SON_DESK),
                  *(make_user(role, DemoAgency.TICH_SON) for role in ("specialist", "leader", "clerk")))


STATES = ("draft", "submitted", "supplement_requested", "refused", "accepted", "processing", "resolved", "returned")


def birth_in(state: str, office: Office, now=None) -> Dossier:
    """A birth registration of `office.citizen` in `state` (one of STATES), taken there step by step."""
    if state == "draft":
        dossier = dossiers.start_draft(office.citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
        return dossiers.save_draft(dossier, office.citizen, birth_input(), dossier.lock_version)
    dossier = submitted_birth(office.citizen, now=now)
    if state == "supplement_requested":
        return dossiers.request_supplement(dossier, office.desk, ["Giấy chứng sinh bản chính"], "Bản chụp không rõ")
    if state == "refused":
        return dossiers.refuse(dossier, office.desk, ["Không thuộc thẩm quyền của phường"])
    if state != "submitted":
        dossiers.accept(dossier, office.desk, now=now)
    if state in ("processing", "resolved", "returned"):
        processing.complete_step(dossier, office.specialist, "Đủ điều kiện", now=now)
    if state in ("resolved", "returned"):
        processing.resolve(dossier, office.leader, "approved", now=now)
    if state == "returned":
        while dossier.current_step is not None and dossier.current_step.role != "reception":
            processing.complete_step(dossier, office.clerk, now=now)
        processing.return_result(dossier, office.desk, "counter", now=now)
    return dossier


def assigned_at_the_desk(office: Office, colleague: User) -> Dossier:
    """A dossier decided, its last step (handing the result back) at the Tích Sơn desk, assigned to `colleague`."""
    dossier = birth_in("resolved", office)
    while dossier.current_step.role != "reception":
        processing.complete_step(dossier, office.clerk)
    processing.assign(dossier, office.desk, colleague.id)
    assert dossier.current_step.assignee is colleague
    return dossier


SAMPLE = {"text": "Nội dung mẫu", "textarea": "Nội dung mẫu dài", "date": "2025-11-20", "number": "120",
          "checkbox": True, "id_number": "026090001234", "phone": "0912345678", "email": "mau@motcua.example"}


def complete_input(spec: dict, **overrides) -> DraftInput:
    """A complete input for any procedure: every required field filled by its type, a PDF for
    every required document."""
    form = {f["key"]: f["choices"][0]["value"] if f["type"] == "select" else SAMPLE[f["type"]]
            for f in spec["form"] if f["required"]}
    values = {
        "applicant": Applicant("Nguyễn Văn An", "026090001234", "Phường Tích Sơn, thành phố Vĩnh Yên", "0912345678",
                               "an@motcua.example"),
        "form_data": form, "delivery": "counter",
        "uploads": {d["key"]: [upload()] for d in spec["documents"] if d["required"]},
    }
    values.update(overrides)
    return DraftInput(**values)


LAND = "1.003003"   # received at the commune desk; a fee asked during processing
GUARDIANSHIP = "1.004837"  # 3 working days (Civil Status Law 2014 Art. 20(2)), commune committee
VNPAY_SECRET = "TEST-ONLY-SECRET"


def at_counter(code, citizen, desk, now=None):
    """A paper dossier of `citizen` for procedure `code`, entered at the Tích Sơn counter (at `now`)."""
    from app.extensions import db

    version = catalogue.current_version(code)
    dossier = dossiers.counter_intake(desk, version, TICH_SON_DESK, 1, complete_input(version.spec), now=now)
    dossier.owner = citizen
    db.session.commit()
    return dossier


@dataclass(frozen=True)
class LandOffice:
    """A citizen and the staff a land dossier (LAND) passes: the Tích Sơn desk and commune, the
    province's environment department, the Vĩnh Yên environment office that decides it."""
    citizen: User
    desk: User
    commune: User
    commune_leader: User
    commune_clerk: User
    province: User        # Sở Tài nguyên và Môi trường
    district: User        # Phòng Tài nguyên và Môi trường thành phố Vĩnh Yên
    district_leader: User
    district_clerk: User


def land_office(make_user: Callable[..., User]) -> LandOffice:
    """The land office, from the `make_user` fixture."""
    return LandOffice(make_user(), make_user("reception", DemoAgency.TICH_SON_DESK),
                      *(make_user(role, DemoAgency.TICH_SON) for role in ("specialist", "leader", "clerk")),
                      make_user("specialist", DemoAgency.ENVIRONMENT_DEPARTMENT),
                      *(make_user(role, DemoAgency.VINH_YEN_ENVIRONMENT) for role in ("specialist", "leader", "clerk")))


def land_at_counter(citizen, desk):
    """A land dossier of `citizen` entered at the Tích Sơn counter: at the commune's specialist."""
    return at_counter(LAND, citizen, desk)


def owing_dossier(citizen, desk, specialist):
    """The same, waiting for its fee (asked by the commune's specialist)."""
    from app.services import processing

    return processing.request_fee(land_at_counter(citizen, desk), specialist)


def vnpay_answer(order, code="00", amount=None, secret=VNPAY_SECRET, **extra) -> dict:
    """What VNPay sends back for `order` (return URL or IPN), signed with `secret`."""
    from app.services import vnpay

    fields = {"vnp_TmnCode": "DEMO0001", "vnp_TxnRef": order.txn_ref, "vnp_Amount": str((amount or order.amount) * 100),
              "vnp_ResponseCode": code, "vnp_TransactionStatus": code, "vnp_TransactionNo": "14226112",
              "vnp_BankCode": "NCB", "vnp_PayDate": "20261125100512", "vnp_OrderInfo": "Nop phi", **extra}
    return {**fields, "vnp_SecureHashType": "HmacSHA512", "vnp_SecureHash": vnpay.signature(fields, secret)}
