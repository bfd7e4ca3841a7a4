"""Revcycle: the frame and router — page config, the shared sidebar filters, navigation."""

import logging

import streamlit as st

from revcycle.db import QueryError
from revcycle.ui import filters, page

log = logging.getLogger("revcycle")

st.set_page_config(page_title="Revcycle", page_icon="📈", layout="wide")
page.tighten_top_margin()

# The pages live in app_pages/, not pages/: Streamlit reads a pages/ folder beside the
# entrypoint as its older multipage mode and would run a page without this frame.
pages = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/cycle:", default=True),
    st.Page("app_pages/conversion.py", title="Conversion by source", icon=":material/filter_alt:"),
    st.Page("app_pages/follow_up.py", title="Follow-up speed", icon=":material/timer:"),
    st.Page("app_pages/revenue.py", title="Revenue by channel", icon=":material/euro:"),
    st.Page("app_pages/upload.py", title="Upload exports", icon=":material/upload:"),
]

try:
    navigation = st.navigation(pages)
    st.session_state["filters"] = filters.sidebar()
    page.freshness_banner()
    navigation.run()
except QueryError as error:
    log.exception("query failed")
    st.error(f"{error} The details are in the server log.")
except Exception:  # no traceback reaches a person; the log keeps it
    log.exception("page failed")
    st.error("Something went wrong while drawing this page. The details are in the server log.")
