"""Streamlit helpers: data access with caching, the shared filters, colours, charts, formats."""
