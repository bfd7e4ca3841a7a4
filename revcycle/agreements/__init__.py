"""What marketing and sales agreed: definitions, follow-up per channel, the working calendar and
the targets, saved as numbered versions each in force from its own date (issue 11).

``model`` holds the plain values, ``validate`` the checks, ``document`` the readable YAML file,
``store`` the DuckDB tables. None of them imports Streamlit.
"""
