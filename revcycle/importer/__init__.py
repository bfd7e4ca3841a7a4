"""Importing the exports analysts bring: read the file, map it to the contract, validate, load.

read      — any CSV or XLSX into text rows with their file line numbers (DuckDB's CSV reader;
            workbook — a workbook's sheet, with python-calamine);
table     — from that grid of cells to the export's table: header, titles, footer, totals;
text      — the one rule for a blank cell, and a text column's parts;
parse     — text values into dates, numbers and booleans, deciding each column's format;
presets   — recognise HubSpot, Salesforce, Pipedrive and generic headers, and saved mappings;
validate  — the contract's rules, each broken one a Problem with file, line, column, value;
load      — merge or replace in one transaction, archive the upload, history and restore.
"""
