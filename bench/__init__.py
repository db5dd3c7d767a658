"""Benchmarks: speed and memory targets, run as ``python -m bench.<name>``."""
