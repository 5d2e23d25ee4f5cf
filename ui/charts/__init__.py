"""Altair chart builders: pure functions ``make_*_chart(df) -> alt.Chart``, testable without Streamlit."""
