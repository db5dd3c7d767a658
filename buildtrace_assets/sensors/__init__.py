"""Sensors: uploads landing in storage, job progress and cancellation, run failures, manual overlays."""
