"""cxgov benchmarks: `make bench` (or `python -m bench`), never run by the test suite; the suite
uses only the generator of large organisations (`bench.scale`)."""
