"""cxgov benchmarks: `make bench` (or `python -m bench`). Never part of the test suite."""
