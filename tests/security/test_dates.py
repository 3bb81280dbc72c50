"""Issue 18: dates outside the portal's span (app/domain/span.py) are a 400 naming the
parameter, never a 500 from date arithmetic that overflows."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.domain import span


def test_the_span_is_2000_to_2100():
    assert span.within(date(2000, 1, 1)) and span.within(date(2100, 12, 31))
    assert not span.within(date(1999, 12, 31)) and not span.within(datetime(9999, 12, 31, tzinfo=UTC))


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59+07:00", "0001-01-01T00:00:00+07:00", "1999-12-31T10:00:00Z"])
def test_due_date_of_a_receipt_outside_the_span_is_400(client, loaded_catalogue, moment):
    response = client.get("/api/v1/procedures/1.001193/due-date", query_string={"received_at": moment})
    assert response.status_code == 400 and response.get_json()["fields"] == {"received_at": span.MESSAGE}


@pytest.mark.parametrize("query", [
    "/thong-ke?ky=custom&tu=0001-01-01&den=0001-12-31", "/thong-ke?ky=custom&tu=9999-01-01&den=9999-12-31",
    "/thong-ke?ky=year&nam=1", "/thong-ke?ky=month&nam=9999&so=12", "/thong-ke/bao-cao-thang.pdf?nam=1&thang=1",
    "/thong-ke/bao-cao-thang.pdf?nam=99999&thang=1", "/api/v1/stats?from=0001-01-01&to=0001-12-31",
])
def test_statistics_for_a_period_outside_the_span_are_400(client, query):
    assert client.get(query).status_code == 400


def test_statistics_inside_the_span_still_answer(client):
    assert client.get("/thong-ke?ky=custom&tu=2026-01-01&den=2026-03-31").status_code == 200
    assert client.get("/api/v1/stats?from=2026-01-01&to=2026-03-31").status_code == 200
