"""Benchmarks of the integration (run with scripts/bench)."""
