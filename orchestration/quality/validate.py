"""Run expectation suites on pandas DataFrames and build the Data Docs site.

Great Expectations validates each frame through a pandas data source (its
SQL data sources do not work on DuckDB). Without a Data Docs folder the
context is ephemeral; with one, it is a file-backed context in that folder,
so validations are kept (the newest ``KEEP_RESULTS_PER_SUITE`` of each
suite) and the static site under ``<folder>/site/`` shows them.

An expectation passes only when Great Expectations says so and nothing
raised while computing it; an error while validating fails every
expectation of the suite, with the error as its detail.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.quality.suites import BLOCKING, WARNING, SuiteSpec

logger = logging.getLogger(__name__)

DATA_SOURCE = "incentives"
SITE_NAME = "incentives"
BATCH_DEFINITION = "whole_frame"
_MAX_DETAIL_CHARS = 300
# Validation results kept per suite (older ones leave the store and the site).
KEEP_RESULTS_PER_SUITE = 20
# Where a file-backed context keeps validation results, under its project folder.
_RESULTS_FOLDER = ("gx", "uncommitted", "validations")
# Great Expectations' file contexts are not safe to use from several threads at once.
_CONTEXT_LOCK = threading.RLock()


@dataclasses.dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's verdict."""

    suite: str
    expectation_type: str  # as Great Expectations names it, e.g. expect_column_values_to_be_between
    severity: str
    description: str
    passed: bool
    detail: str | None = None  # what failed: unexpected values, observed value or the error

    def line(self) -> str:
        """One readable line: ``suite: description (detail)``."""
        suffix = f" ({self.detail})" if self.detail and not self.passed else ""
        return f"{self.suite}: {self.description}{suffix}"


@dataclasses.dataclass(frozen=True)
class ValidationReport:
    """The outcomes of one or more suites and, when built, the Data Docs index page."""

    outcomes: tuple[ExpectationOutcome, ...]
    data_docs_index: Path | None = None

    def failed(self, severity: str) -> tuple[ExpectationOutcome, ...]:
        """Failed expectations of one severity."""
        return tuple(o for o in self.outcomes if not o.passed and o.severity == severity)

    @property
    def blocking_failures(self) -> tuple[ExpectationOutcome, ...]:
        return self.failed(BLOCKING)

    @property
    def warnings(self) -> tuple[ExpectationOutcome, ...]:
        return self.failed(WARNING)

    @property
    def passed(self) -> bool:
        """True when no blocking expectation failed (warnings do not fail a run)."""
        return not self.blocking_failures

    def of_severity(self, severity: str) -> tuple[ExpectationOutcome, ...]:
        return tuple(o for o in self.outcomes if o.severity == severity)


def site_directory(docs_dir: Path) -> Path:
    """Where the static Data Docs site of a Data Docs folder lives."""
    return docs_dir / "site"


def data_docs_index(docs_dir: Path) -> Path:
    """The Data Docs site's ``index.html`` for a Data Docs folder."""
    return site_directory(docs_dir) / "index.html"


def _one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= _MAX_DETAIL_CHARS else line[: _MAX_DETAIL_CHARS - 1] + "…"


def _raised(exception_info: Any) -> str | None:
    """The error message when Great Expectations caught an exception, else ``None``.

    ``exception_info`` is either one ``{raised_exception, exception_message}``
    dict or a dict of them keyed by metric.
    """
    if not isinstance(exception_info, Mapping):
        return None
    if "raised_exception" in exception_info:
        if exception_info.get("raised_exception"):
            return str(exception_info.get("exception_message") or "raised an exception")
        return None
    for value in exception_info.values():
        message = _raised(value)
        if message:
            return message
    return None


def _detail(result: Mapping[str, Any]) -> str | None:
    if not result:
        return None
    if "unexpected_count" in result:
        sample = result.get("partial_unexpected_list") or []
        shown = ", ".join(str(value) for value in sample[:5])
        return f"{result['unexpected_count']} unexpected" + (f": {shown}" if shown else "")
    if "observed_value" in result:
        return f"observed {result['observed_value']}"
    return None


def _severity(meta: Mapping[str, Any] | None) -> str:
    # An expectation without a known severity blocks: never let an unclassified check slide.
    severity = (meta or {}).get("severity")
    return severity if severity in (BLOCKING, WARNING) else BLOCKING


def _outcomes_from_result(suite: SuiteSpec, validation: Any) -> list[ExpectationOutcome]:
    outcomes = []
    seen = 0
    for result in validation.results:
        config = result.expectation_config
        error = _raised(result.exception_info)
        passed = result.success is True and error is None
        outcomes.append(
            ExpectationOutcome(
                suite=suite.name,
                expectation_type=config.type,
                severity=_severity(config.meta),
                description=config.description or config.type,
                passed=passed,
                detail=_one_line(f"error: {error}") if error else _detail(result.result or {}),
            )
        )
        seen += 1
    # Every expectation of the suite must have a verdict; a missing one counts as failed.
    for spec in suite.expectations[seen:]:
        outcomes.append(
            ExpectationOutcome(
                suite.name,
                spec.expectation.expectation_type,
                spec.severity,
                spec.description,
                passed=False,
                detail="no result returned",
            )
        )
    return outcomes


def _failed_suite(suite: SuiteSpec, error: BaseException) -> list[ExpectationOutcome]:
    detail = _one_line(f"error: {type(error).__name__}: {error}")
    return [
        ExpectationOutcome(
            suite.name,
            spec.expectation.expectation_type,
            spec.severity,
            spec.description,
            passed=False,
            detail=detail,
        )
        for spec in suite.expectations
    ]


@contextmanager
def _context(docs_dir: Path | None) -> Iterator[Any]:
    """An ephemeral context, or a file-backed one in ``docs_dir`` with a filesystem site."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    with _CONTEXT_LOCK:
        if docs_dir is None:
            context = gx.get_context(mode="ephemeral")
        else:
            docs_dir.mkdir(parents=True, exist_ok=True)
            context = gx.get_context(mode="file", project_root_dir=str(docs_dir))
            if SITE_NAME not in (context.get_config().data_docs_sites or {}):
                context.add_data_docs_site(
                    SITE_NAME,
                    {
                        "class_name": "SiteBuilder",
                        "store_backend": {
                            "class_name": "TupleFilesystemStoreBackend",
                            "base_directory": str(site_directory(docs_dir).resolve()),
                        },
                        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                    },
                )
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        yield context


def _run_one(context: Any, suite: SuiteSpec, frame: pd.DataFrame) -> tuple[list, Any]:
    """Validate one frame; returns the outcomes and Great Expectations' result."""
    import great_expectations as gx

    try:
        source = context.data_sources.get(DATA_SOURCE)
    except LookupError:
        source = context.data_sources.add_pandas(DATA_SOURCE)
    if suite.name in {asset.name for asset in source.assets}:
        asset = source.get_asset(suite.name)
    else:
        asset = source.add_dataframe_asset(suite.name)
    if BATCH_DEFINITION in {definition.name for definition in asset.batch_definitions}:
        batch_definition = asset.get_batch_definition(BATCH_DEFINITION)
    else:
        batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
    expectation_suite = context.suites.add_or_update(suite.build())
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=expectation_suite)
    )
    result = definition.run(batch_parameters={"dataframe": frame})
    return _outcomes_from_result(suite, result), result


def _prune_history(context: Any, docs_dir: Path, keep: int) -> None:
    """Drop all but the ``keep`` newest validation results of each suite, and their pages."""
    by_suite: dict[str, list[Any]] = defaultdict(list)
    for key in context.validation_results_store.list_keys():
        by_suite[key.expectation_suite_identifier.name].append(key)
    pages = site_directory(docs_dir) / "validations"
    for keys in by_suite.values():
        keys.sort(key=lambda key: key.run_id.run_time)
        for key in keys[: max(len(keys) - keep, 0)]:
            context.validation_results_store.remove_key(key)
            *folders, name = key.to_tuple()
            page = pages.joinpath(*folders, f"{name}.html")
            page.unlink(missing_ok=True)
            for folder in (page.parent, docs_dir.joinpath(*_RESULTS_FOLDER, *folders)):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()


def _build_docs(context: Any, results: Sequence[Any]) -> None:
    """Render the new validation pages and the index of the site."""
    run_ids = {str(result.meta.get("run_id")) for result in results}
    names = {result.suite_name for result in results}
    identifiers = [
        key
        for key in context.validation_results_store.list_keys()
        if key.expectation_suite_identifier.name in names and str(key.run_id) in run_ids
    ]
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=identifiers or None)


def validate_frames(
    frames: Iterable[tuple[SuiteSpec, pd.DataFrame]], *, docs_dir: Path | None = None
) -> ValidationReport:
    """Validate each frame with its suite; with ``docs_dir``, keep the results and build Data Docs.

    Never raises for a failing or crashing validation: an exception while a
    suite runs fails each of its expectations. A failure to build the Data
    Docs is logged and leaves ``data_docs_index`` empty.
    """
    outcomes: list[ExpectationOutcome] = []
    results: list[Any] = []
    index: Path | None = None
    pairs = list(frames)
    try:
        with _context(docs_dir) as context:
            for suite, frame in pairs:
                try:
                    suite_outcomes, result = _run_one(context, suite, frame)
                except Exception as exc:  # a crashing check must fail, never pass
                    logger.warning("suite %s raised: %s", suite.name, exc)
                    outcomes.extend(_failed_suite(suite, exc))
                    continue
                outcomes.extend(suite_outcomes)
                results.append(result)
            if docs_dir is not None:
                try:
                    _prune_history(context, docs_dir, KEEP_RESULTS_PER_SUITE)
                    _build_docs(context, results)
                    index = data_docs_index(docs_dir)
                except Exception:
                    logger.exception("could not build the Data Docs in %s", docs_dir)
    except Exception as exc:  # the context itself failed: every suite fails
        logger.warning("could not create a Great Expectations context: %s", exc)
        done = {o.suite for o in outcomes}
        for suite, _ in pairs:
            if suite.name not in done:
                outcomes.extend(_failed_suite(suite, exc))
    return ValidationReport(tuple(outcomes), index if index and index.is_file() else None)


def validate_frame(
    suite: SuiteSpec, frame: pd.DataFrame, *, docs_dir: Path | None = None
) -> ValidationReport:
    """Validate one frame with one suite (see :func:`validate_frames`)."""
    return validate_frames([(suite, frame)], docs_dir=docs_dir)
