from datetime import date

import pytest

from fupin.registry.tests.conftest import applied, cadre, family, helper_user  # noqa: F401 (fixtures)
from fupin.registry.tests.test_process import paired, registered  # noqa: F401 (fixtures)


@pytest.fixture
def march(time_machine):
    """Today is 2025-03-10: the registry's fixtures pair the helper from 2025-01-01."""
    time_machine.move_to(date(2025, 3, 10), tick=False)
