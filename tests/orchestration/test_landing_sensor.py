"""The landing sensor fires once per change of the landing folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import (
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    SensorResult,
    SkipReason,
    build_sensor_context,
    instance_for_test,
)
from pipeline_cases import settings_for

from orchestration.defs.jobs import JOB_NAME
from orchestration.defs.resources import SettingsResource
from orchestration.defs.sensors import landing_digest, landing_files_sensor


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test() as test_instance:
        yield test_instance


def _evaluate(
    landing: Path, instance: DagsterInstance, cursor: str | None
) -> SensorResult | SkipReason:
    resource = SettingsResource.from_settings(settings_for(landing.parent, landing))
    context = build_sensor_context(
        instance=instance, cursor=cursor, resources={"settings": resource}
    )
    return landing_files_sensor(context)


def test_fires_on_a_new_file_and_not_again_without_a_change(
    tmp_path: Path, instance: DagsterInstance
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    assert isinstance(_evaluate(landing, instance, None), SkipReason)

    (landing / "deals.csv").write_text("deal_id\nD1\n")
    first = _evaluate(landing, instance, None)
    assert isinstance(first, SensorResult)
    assert len(first.run_requests) == 1
    assert first.cursor == first.run_requests[0].run_key == landing_digest(landing)

    again = _evaluate(landing, instance, first.cursor)
    assert isinstance(again, SkipReason)
    assert "no new or changed files" in again.skip_message


def test_fires_again_when_a_file_is_added_or_changed(
    tmp_path: Path, instance: DagsterInstance
) -> None:
    landing = tmp_path / "landing"
    (landing / "deals").mkdir(parents=True)
    batch = landing / "deals" / "batch-1.csv"
    batch.write_text("deal_id\nD1\n")
    cursor = _evaluate(landing, instance, None).cursor

    (landing / "deals" / "batch-2.csv").write_text("deal_id\nD2\n")
    added = _evaluate(landing, instance, cursor)
    assert isinstance(added, SensorResult) and added.cursor != cursor

    stat = batch.stat()
    os.utime(batch, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = _evaluate(landing, instance, added.cursor)
    assert isinstance(changed, SensorResult) and changed.cursor != added.cursor


def test_ignores_hidden_files(tmp_path: Path, instance: DagsterInstance) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "deals.csv").write_text("deal_id\nD1\n")
    cursor = _evaluate(landing, instance, None).cursor
    (landing / ".deals.csv.swp").write_text("partial upload")
    assert isinstance(_evaluate(landing, instance, cursor), SkipReason)


def test_waits_without_moving_the_cursor_while_a_run_is_in_progress(
    tmp_path: Path, instance: DagsterInstance
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "deals.csv").write_text("deal_id\nD1\n")
    instance.add_run(DagsterRun(job_name=JOB_NAME, status=DagsterRunStatus.STARTED))

    waiting = _evaluate(landing, instance, None)
    assert isinstance(waiting, SkipReason)
    assert "waiting for the current run" in waiting.skip_message
