"""Import of the legacy BuildTrace tables (``devbuildtraceasu/buildtrace-dev``) into this schema."""
