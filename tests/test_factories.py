"""The builders reach the state they are named for, through the real services."""
import pytest

from app.domain.workflow import Status
from tests.factories import STATES, birth_in, tich_son


@pytest.mark.parametrize("state", STATES)
def test_birth_in_each_state(make_user, loaded_catalogue, state):
    dossier = birth_in(state, tich_son(make_user))
    assert dossier.status == Status(state)
    assert (dossier.code is not None) == (state not in ("draft", "submitted", "supplement_requested", "refused"))
