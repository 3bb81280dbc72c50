"""The citizen's store (Decree 45/2020 Art. 16): an uploaded paper is kept and reused in a second
dossier as the same stored file; a signed result enters the store with its signature; only the
owner's papers of the right kind are taken; a paper in use is not deleted."""
import pytest

from app.extensions import db
from app.services import catalogue, citizen_store, dossiers
from app.services.citizen_store import StoreError
from tests.factories import complete_input, upload
from tests.signing_helpers import document, issue_result, through_the_process

pytestmark = pytest.mark.usefixtures("loaded_catalogue")

JUDICIAL_RECORD = "2.000505"    # lý lịch tư pháp: giay_to_tuy_than
HOUSEHOLD = "1.001612"          # hộ kinh doanh: giay_to_phap_ly_ca_nhan is a giay_to_tuy_than
ID_PART = "giay_to_phap_ly_ca_nhan"


def submit(citizen, code, **overrides):
    version = catalogue.current_version(code)
    desk = dossiers.receiving_desks(version)[0].code
    return dossiers.submit_new(citizen, version, desk, complete_input(version.spec, **overrides))


def others(code, but):
    """A file for every required document of `code` but `but`."""
    spec = catalogue.current_version(code).spec
    return {d["key"]: [upload()] for d in spec["documents"] if d["required"] and d["key"] != but}


def id_paper(make_user):
    citizen = make_user()
    first = submit(citizen, JUDICIAL_RECORD, uploads={
        "to_khai": [upload()], "giay_to_tuy_than": [upload(name="cccd.pdf")]})
    [paper] = citizen_store.papers(citizen, "giay_to_tuy_than")
    return citizen, first, paper


def test_an_uploaded_paper_is_kept_and_reused_as_the_same_file(make_user):
    citizen, first, paper = id_paper(make_user)
    assert paper.source == "uploaded" and paper.origin_dossier_id == first.id and paper.name == "cccd.pdf"
    assert citizen_store.papers(citizen, "to_khai") == []  # a declaration form names no kind of paper
    version = catalogue.current_version(HOUSEHOLD)
    assert [p.id for p in citizen_store.offers(citizen, version.spec)[ID_PART]] == [paper.id]
    second = submit(citizen, HOUSEHOLD, uploads=others(HOUSEHOLD, ID_PART), reuse={ID_PART: [paper.id]})
    [reused] = [f for f in second.files if f.component == ID_PART]
    assert reused.reused and reused.stored_paper_id == paper.id and reused.sha256 == paper.sha256
    assert not any(f.reused for f in first.files)
    assert second.reused_component and not first.reused_component and not second.from_national_store  # 4.3, 4.4
    assert len(citizen_store.papers(citizen)) == 1  # the same bytes of the same kind are kept once


def test_only_the_owners_papers_of_the_right_kind_are_taken(make_user):
    _, _, paper = id_paper(make_user)
    stranger = make_user()
    with pytest.raises(dossiers.DossierError) as theirs:
        submit(stranger, HOUSEHOLD, uploads=others(HOUSEHOLD, ID_PART), reuse={ID_PART: [paper.id]})
    assert theirs.value.fields[f"documents.{ID_PART}"] == "Giấy tờ đã chọn không có trong kho của bạn."
    owner = db.session.get(type(paper), paper.id).owner_id
    citizen = db.session.get(type(stranger), owner)
    with pytest.raises(dossiers.DossierError) as kind:
        submit(citizen, HOUSEHOLD, uploads=others(HOUSEHOLD, ""), reuse={"giay_de_nghi": [paper.id]})
    assert "không đúng loại" in kind.value.fields["documents.giay_de_nghi"]


def test_a_paper_in_use_stays_and_another_may_leave(make_user):
    citizen, _, paper = id_paper(make_user)
    submit(citizen, HOUSEHOLD, uploads=others(HOUSEHOLD, ID_PART), reuse={ID_PART: [paper.id]})
    with pytest.raises(StoreError) as busy:
        citizen_store.delete(citizen, paper.id)
    assert busy.value.status == 409
    with pytest.raises(StoreError) as theirs:
        citizen_store.delete(make_user(), paper.id)
    assert theirs.value.status == 404
    other = submit(make_user(), JUDICIAL_RECORD)
    [free] = citizen_store.papers(other.owner)
    citizen_store.delete(other.owner, free.id)
    assert citizen_store.papers(other.owner) == []
    assert other.files  # the dossier keeps its own file


def test_a_signed_result_enters_the_store_and_keeps_its_signature_when_reused(configured, run_jobs):
    people = configured
    dossier = through_the_process(people, run_jobs)
    assert citizen_store.papers(people.citizen, "giay_khai_sinh") == []  # not yet signed by the agency
    issue_result(people, dossier, run_jobs)
    result = document(dossier, "result")
    [paper] = citizen_store.papers(people.citizen, "giay_khai_sinh")
    assert paper.source == "issued" and paper.sha256 == result.sha256 and paper.content_type == "application/pdf"
    again = submit(people.citizen, "1.004884", uploads=others("1.004884", "ban_sao_giay_khai_sinh"),
                   reuse={"ban_sao_giay_khai_sinh": [paper.id]})
    [copy] = [f for f in again.files if f.component == "ban_sao_giay_khai_sinh"]
    assert copy.sha256 == result.sha256  # the very signed file, byte for byte: its signatures hold


def test_the_statistics_count_the_second_dossier_as_reusing_a_paper(make_user):
    from app.services import stats
    from app.services.structure import today

    citizen, first, paper = id_paper(make_user)
    second = submit(citizen, HOUSEHOLD, uploads=others(HOUSEHOLD, ID_PART), reuse={ID_PART: [paper.id]})
    for dossier in (first, second):
        dossiers.accept(dossier, make_user("reception", dossier.receiving_agency.code))
    figures = stats.figures(stats.Scope(today().replace(month=1, day=1), today()))
    assert (figures.indices["4.3"].numerator, figures.indices["4.3"].denominator) == (1, 2)  # index 4.3
    assert figures.indices["4.4"].numerator == 0  # nothing from the national store
