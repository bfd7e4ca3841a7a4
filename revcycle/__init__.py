"""Revcycle core: one joined funnel-to-revenue view over CRM exports, built with DuckDB.

This package never imports Streamlit; the Streamlit helpers live in ``revcycle.ui``.
"""
