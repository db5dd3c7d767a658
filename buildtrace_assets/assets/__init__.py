"""Partitioned assets: per drawing version (analysis) and per job (diff, summary); thin over engine and services."""
