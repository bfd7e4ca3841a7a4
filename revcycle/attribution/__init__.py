"""Multi-touch attribution: the models (pure, no SQL) and the report that feeds them journeys."""
