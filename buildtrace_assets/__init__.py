"""BuildTrace: track changes between revisions of construction drawings."""
