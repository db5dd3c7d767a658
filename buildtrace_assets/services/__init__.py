"""Domain operations: the only way the portal, sensors, API and CLI change data.

Every function takes the SQLAlchemy session and the acting :class:`Actor`,
checks the actor's role in the project, writes an ``audit_logs`` row for each
change and flushes, but never commits: the caller owns the transaction
(``buildtrace_assets.db.session.transaction``), so a failure anywhere rolls
back the change together with its audit row.
"""
