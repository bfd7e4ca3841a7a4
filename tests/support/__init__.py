"""Helpers the tests and the benchmark share (a browser driver); never imported by the app."""
