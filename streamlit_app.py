"""Small caps x crypto scenario explorer: page config, shared sidebar, navigation."""

import streamlit as st

from ui.heap import freeze_import_heap
from ui.sidebar import render_data_sidebar

freeze_import_heap()  # once per process: Streamlit's full GC after each rerun then skips the import-time heap

st.set_page_config(page_title="Small caps × crypto explorer", page_icon=":material/monitoring:", layout="wide")

PAGES = [
    st.Page("ui/pages/overview.py", title="The question", icon=":material/help:", default=True),
    st.Page("ui/pages/market.py", title="Market", icon=":material/show_chart:"),
    st.Page("ui/pages/relationships.py", title="Relationships", icon=":material/hub:"),
    st.Page("ui/pages/breakouts.py", title="Breakouts & streaks", icon=":material/trending_up:"),
    st.Page("ui/pages/altseason.py", title="Altcoin season index", icon=":material/currency_bitcoin:"),
    st.Page("ui/pages/simulate.py", title="Simulator", icon=":material/casino:"),
    st.Page("ui/pages/compare.py", title="Compare scenarios", icon=":material/compare_arrows:"),
    st.Page("ui/pages/track_record.py", title="Track record", icon=":material/fact_check:"),
    st.Page("ui/pages/methodology.py", title="Methodology", icon=":material/menu_book:"),
]

page = st.navigation(PAGES)
render_data_sidebar()
page.run()
