"""Sensors: uploads landing in storage, pipeline requests (a saved manual overlay records one), job progress and
cancellation, run failures."""
