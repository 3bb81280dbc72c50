"""Dossier codes come from one atomic database counter per desk per day."""
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.extensions import db
from app.models import Dossier, User
from app.services import catalogue, dossiers
from app.services.counters import next_value
from tests.dossier_helpers import BIRTH, TICH_SON_DESK, birth_input


def test_counter_counts_per_scope_and_period():
    assert [next_value("t:a", "2027-02-01") for _ in range(3)] == [1, 2, 3]
    assert next_value("t:a", "2027-02-02") == 1
    assert next_value("t:b", "2027-02-01") == 1
    db.session.rollback()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="concurrency is tested on PostgreSQL (DATABASE_URL); SQLite serialises writers")
def test_50_concurrent_submissions_get_50_distinct_codes(app, make_user, loaded_catalogue):
    version = catalogue.current_version(BIRTH)
    citizen = make_user()
    ids = []
    for _ in range(50):
        dossier = dossiers.start_draft(citizen, version, TICH_SON_DESK)
        dossiers.save_draft(dossier, citizen, birth_input(), dossier.lock_version)
        ids.append(dossier.id)
    user_id = citizen.id
    db.session.remove()

    def submit(dossier_id: int) -> str:
        with app.app_context():
            dossier = db.session.get(Dossier, dossier_id)
            code = dossiers.submit(dossier, db.session.get(User, user_id)).code
            db.session.remove()
            return code

    with ThreadPoolExecutor(max_workers=25) as pool:
        codes = list(pool.map(submit, ids))
    assert len(set(codes)) == 50
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, 51))
