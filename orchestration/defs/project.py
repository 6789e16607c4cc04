"""The dbt project, built once, and its manifest kept current.

The dbt assets are defined from ``target/manifest.json``. A fresh clone has
none, and editing a model makes it stale, so :func:`prepare_manifest` runs
``dbt parse`` whenever the manifest is missing or older than any file of the
dbt project; this module calls it on import, before the assets are defined.
"""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from filelock import FileLock

from orchestration.settings import DBT_PROFILES_DIR, DBT_PROJECT_DIR

logger = logging.getLogger(__name__)

# Folders of the dbt project that dbt writes to; their changes do not stale the manifest.
_GENERATED_DIRS = frozenset({"target", "dbt_packages", "logs"})

# How long a process waits for another one that is parsing the same project.
_PARSE_LOCK_TIMEOUT_SECONDS = 300


def _dbt_executable() -> str:
    """The ``dbt`` next to this interpreter, so an unactivated virtualenv still finds it."""
    beside_python = Path(sys.executable).with_name("dbt")
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("dbt") or "dbt"


DBT_EXECUTABLE = _dbt_executable()


def _project_files(project: DbtProject) -> list[Path]:
    files = [project.profiles_dir / "profiles.yml"]
    for path in project.project_dir.rglob("*"):
        relative = path.relative_to(project.project_dir)
        if relative.parts[0] in _GENERATED_DIRS or any(p.startswith(".") for p in relative.parts):
            continue
        if path.is_file():
            files.append(path)
    return files


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than a file of the dbt project."""
    if not project.manifest_path.is_file():
        return True
    built_at = project.manifest_path.stat().st_mtime
    return any(p.stat().st_mtime > built_at for p in _project_files(project) if p.exists())


def prepare_manifest(project: DbtProject) -> Path:
    """Run ``dbt parse`` when the manifest is missing or stale; returns the manifest path.

    Processes that load the definitions at the same time (the Dagster UI, a
    run, the tests) take turns; the second finds a fresh manifest and skips.
    """
    if not manifest_is_stale(project):
        return project.manifest_path
    project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
    # The same lock file as dagster-dbt's own preparer, so both take turns too.
    guard = FileLock(project.manifest_path.with_suffix(".concurrent-update-lock"))
    with guard.acquire(timeout=_PARSE_LOCK_TIMEOUT_SECONDS):
        if manifest_is_stale(project):
            logger.info("parsing the dbt project into %s", project.manifest_path)
            dbt = DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)
            dbt.cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project.manifest_path


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROFILES_DIR)
prepare_manifest(dbt_project)
