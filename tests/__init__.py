"""The test suite; a package so that tests and the benchmark can import tests.support."""
