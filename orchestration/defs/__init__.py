"""Dagster definitions: assets, checks, job, schedule and sensor of the incentives pipeline.

``definitions.py`` holds the ``Definitions`` object that ``dagster dev`` and
``dg`` load; :func:`orchestration.defs.factory.build_definitions` builds the
same definitions for any settings (the CLI and the tests use it).
"""
