"""Entry page of the partner-incentive viewer: ``streamlit run streamlit_app/app.py``.

It only sets up the frame (page config, navigation, where the data comes
from); each view lives in its own module under ``pages/``. The warehouse
path comes from ``INCENTIVES_WAREHOUSE`` and the age after which the sidebar
warns that the data is stale from ``INCENTIVES_STALE_AFTER_HOURS`` (see
``orchestration.settings``).
"""

from __future__ import annotations

import streamlit as st

from streamlit_app.data.connection import warehouse_path
from streamlit_app.layout import show_freshness, show_quality_note

st.set_page_config(page_title="Partner incentives", page_icon=":material/handshake:", layout="wide")

page = st.navigation(
    [
        st.Page(
            "pages/partner_overview.py",
            title="Partner overview",
            icon=":material/person:",
            default=True,
        ),
        st.Page(
            "pages/program_performance.py",
            title="Program performance",
            icon=":material/bar_chart:",
        ),
        st.Page(
            "pages/data_quality.py",
            title="Data quality",
            icon=":material/fact_check:",
        ),
    ]
)

# When the data was last loaded and built, and a warning when that is too long ago.
show_freshness(warehouse_path())
# A link to the Data quality page when the newest checks found problems.
show_quality_note(warehouse_path())

page.run()
