"""Dossier codes (per desk per day) and submission references (per day) come from atomic
database counters."""
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.extensions import db
from app.models import Dossier, User
from app.services import catalogue, dossiers
from app.services.counters import next_value
from tests.factories import BIRTH, TICH_SON_DESK, birth_input


def test_counter_counts_per_scope_and_period():
    assert [next_value("t:a", "2027-02-01") for _ in range(3)] == [1, 2, 3]
    assert next_value("t:a", "2027-02-02") == 1
    assert next_value("t:b", "2027-02-01") == 1
    db.session.rollback()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="concurrency is tested on PostgreSQL (DATABASE_URL); SQLite serialises writers")
def test_50_concurrent_submissions_and_acceptances_get_50_distinct_references_and_codes(app, make_user,
                                                                                        loaded_catalogue, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_OPEN_DRAFTS", 100)   # one account's 50 drafts, past the quota on purpose
    version = catalogue.current_version(BIRTH)
    citizen, desk = make_user(), make_user("reception", TICH_SON_DESK)
    ids = []
    for _ in range(50):
        dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
        dossiers.save_draft(dossier, citizen, birth_input(), dossier.lock_version)
        ids.append(dossier.id)
    citizen_id, desk_id = citizen.id, desk.id
    db.session.remove()

    def run(dossier_id: int, act) -> str:
        with app.app_context():
            dossier = db.session.get(Dossier, dossier_id)
            value = act(dossier)
            db.session.remove()
            return value

    def submit(dossier_id: int) -> str:  # the reference, at once
        return run(dossier_id, lambda d: dossiers.submit(d, db.session.get(User, citizen_id)).reference)

    def accept(dossier_id: int) -> str:  # the code, on receipt
        return run(dossier_id, lambda d: dossiers.accept(d, db.session.get(User, desk_id)).code)

    with ThreadPoolExecutor(max_workers=25) as pool:
        references = list(pool.map(submit, ids))
        codes = list(pool.map(accept, ids))
    for values in (references, codes):
        assert len(set(values)) == 50
        assert sorted(int(c.rsplit("-", 1)[1]) for c in values) == list(range(1, 51))
