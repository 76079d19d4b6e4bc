"""Benchmarks, run by `make bench`: one JSON line of medians measured in one run."""
