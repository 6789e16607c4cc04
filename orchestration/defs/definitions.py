"""The definitions that ``dagster dev -m orchestration.defs.definitions`` and ``dg`` load.

Settings come from the ``INCENTIVES_*`` environment variables.
"""

from orchestration.defs.factory import build_definitions
from orchestration.settings import Settings

defs = build_definitions(Settings())
