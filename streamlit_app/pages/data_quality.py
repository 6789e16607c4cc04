"""Data quality: the outcomes of the newest checks, quarantined rows, files not loaded, Data Docs.

The pipeline's Great Expectations checks record one row per expectation in
``data_quality_results``; this page reads the newest checked run from the
published warehouse. The full reports are the Data Docs site, a set of local
HTML files written next to the build warehouse.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from streamlit_app.data import queries
from streamlit_app.data.connection import WarehouseError
from streamlit_app.data.formatting import format_count, format_timestamp, is_missing
from streamlit_app.layout import load_or_stop, require_warehouse, right_aligned

NO_RESULTS = (
    "No data-quality results recorded yet: this warehouse was built before the checks"
    " kept their outcomes. The next `incentives run` records them."
)


def _text(value: object) -> str:
    return "" if is_missing(value) else str(value)


def _verdict(success: object, severity: object) -> str:
    if bool(success):
        return "passed"
    return "warning" if severity == queries.WARNING else "failed"


def problems_table(problems: pd.DataFrame) -> pd.DataFrame:
    """Warnings and failures as display text."""
    return pd.DataFrame(
        {
            "Severity": problems["severity"].map(_text),
            "Asset": problems["asset"].map(_text),
            "Description": problems["description"].map(_text),
            "Observed": problems["observed"].map(_text),
        }
    )


def results_table(results: pd.DataFrame) -> pd.DataFrame:
    """Every expectation of the run as display text."""
    return pd.DataFrame(
        {
            "Result": [
                _verdict(success, severity)
                for success, severity in zip(results["success"], results["severity"], strict=True)
            ],
            "Severity": results["severity"].map(_text),
            "Asset": results["asset"].map(_text),
            "Suite": results["suite"].map(_text),
            "Expectation": results["expectation"].map(_text),
            "Description": results["description"].map(_text),
            "Observed": results["observed"].map(_text),
        }
    )


def quarantine_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Quarantined rows by landing table and reason as display text."""
    return pd.DataFrame(
        {
            "Table": summary["table_name"].map(_text),
            "Reason": summary["reason"].map(_text),
            "Rows": summary["rows_quarantined"].map(format_count),
            "Files": summary["batches"].map(format_count),
        }
    )


def batches_table(batches: pd.DataFrame) -> pd.DataFrame:
    """Landing files that were not loaded as display text."""
    return pd.DataFrame(
        {
            "Batch": batches["batch_id"].map(format_count),
            "Table": batches["table_name"].map(_text),
            "File": batches["source_file"].map(_text),
            "Status": batches["status"].map(_text),
            "Error": batches["error_message"].map(_text),
            "Seen at (UTC)": batches["loaded_at"].map(format_timestamp),
        }
    )


def _checks_section(quality: queries.DataQuality | None) -> None:
    if quality is None:
        st.info(NO_RESULTS)
        return
    when = (
        "" if quality.checked_at is None else f", checked {quality.checked_at:%Y-%m-%d %H:%M} UTC"
    )
    st.caption(f"Newest checked run `{quality.run_id}`{when}.")
    passed, warned, failed = st.columns(3)
    passed.metric("Passed", format_count(quality.passed))
    warned.metric("Warnings", format_count(quality.warned))
    failed.metric("Failed", format_count(quality.failed))

    st.subheader("Warnings and failures")
    problems = quality.problems
    if problems.empty:
        st.success("Every expectation passed.")
    else:
        st.dataframe(problems_table(problems), hide_index=True)
        st.caption("A warning never stops a run; a failed blocking expectation stops it.")
    with st.expander(f"All {len(quality.results)} expectations of this run"):
        st.dataframe(results_table(quality.results), hide_index=True)


def _quarantine_section(warehouse: Path) -> None:
    st.subheader("Quarantined rows")
    try:
        summary = queries.quarantine_summary(warehouse)
    except WarehouseError as error:
        st.warning(str(error))
        return
    if summary.empty:
        st.info("No row was quarantined.")
        return
    st.dataframe(quarantine_table(summary), hide_index=True, column_config=right_aligned("Rows"))


def _batches_section(warehouse: Path) -> None:
    st.subheader("Files not loaded")
    try:
        batches = queries.batches_not_loaded(warehouse)
    except WarehouseError as error:
        st.warning(str(error))
        return
    if batches.empty:
        st.info("Every landing file seen was loaded.")
        return
    st.dataframe(batches_table(batches), hide_index=True)
    st.caption("A duplicate has the same content as a file already loaded and is skipped.")


def _data_docs_section(quality: queries.DataQuality | None) -> None:
    st.subheader("Data Docs")
    path = None if quality is None else quality.data_docs_path
    if path is None:
        st.info("No Data Docs site was recorded for these checks.")
        return
    index = Path(path)
    st.markdown("The full Great Expectations reports, one page per suite and run:")
    st.code(str(index), language=None)
    if index.is_absolute():
        st.markdown(f"[Open the Data Docs]({index.as_uri()})")
    st.caption(
        "Some browsers block links to local files (file://) from a web page: copy the path"
        " above into the address bar instead. The site is on the machine that ran the pipeline."
    )
    if not index.is_file():
        st.caption("The file is not on the machine that runs this viewer.")


def render(warehouse: Path) -> None:
    """Draw the page for the published warehouse at ``warehouse``."""
    st.title("Data quality")
    quality = load_or_stop(lambda: queries.data_quality(warehouse))
    _checks_section(quality)
    _quarantine_section(warehouse)
    _batches_section(warehouse)
    _data_docs_section(quality)


if __name__ == "__main__":
    render(require_warehouse())
