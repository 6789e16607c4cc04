"""The Data quality page and the sidebar link to it, on the tiny published warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest
from viewer_warehouse import APP_PATH, DATA_DOCS_INDEX

DATA_QUALITY_PAGE = "pages/data_quality.py"


def run_app(page: str | None = None) -> AppTest:
    """Render the app (and switch to ``page``) and fail on any exception."""
    app = AppTest.from_file(str(APP_PATH), default_timeout=60).run()
    if page is not None:
        app.switch_page(page).run()
    assert not app.exception, [error.value for error in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def sidebar_links(app: AppTest) -> list[str]:
    """Page links in the sidebar (AppTest shows the sidebar of the first page only)."""
    return [link.value for link in app.sidebar.get("page_link")]


def page_text(app: AppTest) -> str:
    kinds = ("info", "warning", "success", "caption", "markdown", "code")
    return "\n".join(str(element.value) for kind in kinds for element in app.main.get(kind))


def _execute(path: Path, sql: str) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute(sql)


def test_the_newest_run_is_counted_and_its_warning_listed(published_warehouse: Path):
    app = run_app(DATA_QUALITY_PAGE)

    # run-0's blocking failure is older history: only run-1 counts.
    assert metrics(app) == {"Passed": "3", "Warnings": "1", "Failed": "0"}
    assert "Newest checked run `run-1`" in page_text(app)
    problems, every, quarantined, not_loaded = (table.value for table in app.dataframe)
    assert problems.to_dict("records") == [
        {
            "Severity": "warning",
            "Asset": "raw/deals",
            "Description": "a batch has at most 3 x the average rows of earlier batches",
            "Observed": "1 unexpected: 10.0",
        }
    ]
    assert sorted(every["Result"]) == ["passed", "passed", "passed", "warning"]
    assert every["Result"].iloc[0] == "warning"

    assert quarantined[["Table", "Reason", "Rows"]].to_dict("records") == [
        {"Table": "deals", "Reason": "unknown stage", "Rows": "2"},
        {"Table": "partners", "Reason": "partner_id is missing", "Rows": "1"},
    ]
    assert not_loaded[["Batch", "File", "Status", "Error"]].to_dict("records") == [
        {"Batch": "2", "File": "deals/bad.csv", "Status": "failed", "Error": "empty"}
    ]


def test_the_data_docs_location_is_shown_as_a_path_and_a_file_link(published_warehouse: Path):
    app = run_app(DATA_QUALITY_PAGE)

    assert [code.value for code in app.code] == [DATA_DOCS_INDEX]
    text = page_text(app)
    assert f"({Path(DATA_DOCS_INDEX).as_uri()})" in text
    assert "Some browsers block links to local files" in text
    assert "not on the machine that runs this viewer" in text


def test_the_sidebar_points_to_the_data_quality_page_when_checks_warned(
    published_warehouse: Path,
):
    assert sidebar_links(run_app()) == ["Data quality: 1 warning in the latest checks"]

    _execute(published_warehouse, "update data_quality_results set success = true")
    assert sidebar_links(run_app()) == []

    app = run_app(DATA_QUALITY_PAGE)
    assert metrics(app) == {"Passed": "4", "Warnings": "0", "Failed": "0"}
    assert [alert.value for alert in app.success] == ["Every expectation passed."]


def test_a_blocking_failure_counts_as_failed(published_warehouse: Path):
    _execute(
        published_warehouse,
        "update data_quality_results set success = false"
        " where run_id = 'run-1' and asset = 'raw/deals' and severity = 'blocking'",
    )
    app = run_app(DATA_QUALITY_PAGE)

    assert metrics(app) == {"Passed": "2", "Warnings": "1", "Failed": "1"}
    assert list(app.dataframe[0].value["Severity"]) == ["blocking", "warning"]
    assert sidebar_links(run_app()) == [
        "Data quality: 1 failure and 1 warning in the latest checks"
    ]


def test_a_warehouse_without_recorded_results_says_so(published_warehouse: Path):
    _execute(published_warehouse, "drop table data_quality_results")

    app = run_app(DATA_QUALITY_PAGE)

    assert "No data-quality results recorded yet" in page_text(app)
    assert not app.metric
    assert "No Data Docs site was recorded" in page_text(app)
    # The quarantine and the files not loaded do not depend on the checks' table.
    assert len(app.dataframe) == 2
    assert sidebar_links(run_app()) == []
