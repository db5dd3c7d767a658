"""Multipart bodies with a file and form fields, parsed and documented as one request body.

flask-smorest documents ``form`` and ``files`` arguments as two bodies and
keeps only the first, which is not valid OpenAPI 3; this ``multipart``
location reads both parts through one schema and documents it as one
``multipart/form-data`` body.
"""

from __future__ import annotations

from typing import Any, ClassVar

import marshmallow as ma
from flask import Request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

LOCATION = "multipart"


class MultipartParser(FlaskParser):
    """webargs' Flask parser with the ``multipart`` location: form fields and files together."""

    # webargs declares it without ClassVar, and mypy refuses a ClassVar over an instance variable.
    __location_map__: dict[str, Any] = {  # noqa: RUF012
        **FlaskParser.__location_map__,
        LOCATION: "load_multipart",
    }

    def load_multipart(self, req: Request, schema: ma.Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class MultipartBlueprint(Blueprint):
    """A blueprint whose ``@arguments(..., location="multipart")`` takes an upload with its fields."""

    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict[str, str]] = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        LOCATION: "multipart/form-data",
    }
