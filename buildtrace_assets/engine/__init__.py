"""Pure drawing processing: no Dagster, no database.

Arrays, dataclasses and files in and out, so the Dagster assets, the portal
and the CLI all run exactly the same comparison.
"""
