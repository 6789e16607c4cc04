"""Deterministic synthetic landing data, from a thousand to tens of millions of deals.

``generate_landing(out_dir, deals=..., seed=...)`` writes a landing folder in
the data contract's layout (see ``landing.py`` for the files). The same
arguments always produce byte-identical files.
"""

from orchestration.generator.landing import (
    DEFAULT_CHUNK_SIZE,
    GenerationSummary,
    generate_landing,
)
from orchestration.generator.timeline import DEFAULT_START

__all__ = ["DEFAULT_CHUNK_SIZE", "DEFAULT_START", "GenerationSummary", "generate_landing"]
