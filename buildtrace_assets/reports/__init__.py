"""Change reports people can send: the PDF report, the marked-up PDF and the change log (CSV, XLSX).

One module per document; :mod:`.bundle` names them all. This package file
imports nothing: the marked-up PDF's sandboxed child imports
:mod:`.markup_writer` through it and must not pay for the rest.
"""
