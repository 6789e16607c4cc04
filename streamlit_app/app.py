"""Entry page of the partner-incentive viewer: ``streamlit run streamlit_app/app.py``.

It only sets up the frame (page config, navigation, where the data comes
from); each view lives in its own module under ``pages/``. The warehouse
path comes from ``INCENTIVES_WAREHOUSE`` (see ``orchestration.settings``).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from streamlit_app.data.connection import warehouse_path

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
    ]
)

path = warehouse_path()
try:
    published = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
except FileNotFoundError:
    pass  # the page itself says how to build one
else:
    st.sidebar.caption(f"Warehouse `{path.name}`, published {published:%Y-%m-%d %H:%M} UTC")

page.run()
