"""Benchmarks of the dashboard at scale; run ``python -m benchmarks.run --help`` from the
repository's root. Not shipped with the app: nothing in revcycle/ imports this package."""
