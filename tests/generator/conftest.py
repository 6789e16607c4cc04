"""A small generated landing folder, shared by the generator tests."""

from __future__ import annotations

import pytest
from generated_landing import N_DEALS, SEED, Generated

from orchestration.generator import generate_landing


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    folder = tmp_path_factory.mktemp("landing")
    summary = generate_landing(folder, deals=N_DEALS, seed=SEED, progress=False)
    return Generated(folder, summary)
