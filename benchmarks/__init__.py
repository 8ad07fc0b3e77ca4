"""Benchmarks of hled-graph against its anchors; run ``python -m benchmarks --help``."""
