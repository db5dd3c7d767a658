"""Upload page: file checks with clear messages, new and existing drawings, version numbers, roles."""

from __future__ import annotations

from collections.abc import Callable

from fixtures.files import png_header_only
from streamlit.testing.v1 import AppTest

from buildtrace_assets.services import drawings
from tests.portal.support import People, PortalEnv, labelled, png_bytes, sheet_pdf, texts

OpenApp = Callable[..., AppTest]
PAGE = "views/upload.py"


def choose(app: AppTest, *files: tuple[str, bytes, str]) -> AppTest:
    """Put files into the uploader (a new, empty one after each upload)."""
    app.file_uploader[0].set_value(list(files) if len(files) > 1 else files[0])
    return app.run()


def map_to(app: AppTest, row: int, drawing: str) -> None:
    """Type another drawing for one file in the mapping table."""
    generation = app.session_state["upload_generation"] if "upload_generation" in app.session_state else 0  # noqa: SIM401 (AppTest's session state has no get)
    app.session_state[f"mapping-{generation}"] = {
        "edited_rows": {row: {"drawing": drawing}},
        "added_rows": [],
        "deleted_rows": [],
    }


def upload(app: AppTest, name: str, data: bytes, mime: str = "application/pdf", drawing: str | None = None) -> AppTest:
    app = choose(app, (name, data, mime))
    if drawing is not None:
        map_to(app, 0, drawing)
        app.run()
    labelled(app.button, "Upload").click()
    return app.run()


def test_the_first_upload_creates_the_drawing_named_after_the_file(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    app = upload(open_app(people.editor, page=PAGE), "A-101.pdf", sheet_pdf("first"))

    assert texts(app.success) == ["A-101: version 1 uploaded (A-101.pdf)."]
    versions = portal_env.run(
        lambda s: [
            (v.version_number, portal_env.storage.exists(v.storage_key))
            for d in drawings.list_drawings(s, people.editor, people.project_id)
            for v in drawings.list_versions(s, people.editor, d.id)
        ]
    )
    assert versions == [(1, True)]


def test_a_second_version_of_an_existing_drawing_says_the_comparison_starts(open_app: OpenApp, people: People) -> None:
    app = upload(open_app(people.editor, page=PAGE), "rev1.pdf", sheet_pdf("first"))
    app = upload(app, "rev2.pdf", sheet_pdf("second"), drawing="rev1")

    assert texts(app.success) == ["rev1: version 2 uploaded (rev2.pdf)."]
    assert texts(app.info) == ["The comparison with version 1 starts by itself; follow it on the Jobs page."]


def test_the_uploader_offers_drawing_types_only(open_app: OpenApp, people: People) -> None:
    app = open_app(people.editor, page=PAGE)

    assert app.file_uploader[0].allowed_type == [".pdf", ".png", ".jpg", ".jpeg", ".dxf", ".dwg"]


def test_a_file_that_only_pretends_to_be_a_pdf_gets_the_services_message(open_app: OpenApp, people: People) -> None:
    app = upload(open_app(people.editor, page=PAGE), "plan.pdf", b"just some text, not a drawing")

    assert texts(app.error) == ["plan.pdf is not a PDF, PNG, JPEG, DXF or DWG file"]
    assert not app.success


def test_a_png_named_pdf_is_accepted_as_what_it_is(open_app: OpenApp, people: People) -> None:
    app = upload(open_app(people.editor, page=PAGE), "scan.pdf", png_bytes())

    assert texts(app.success) == ["scan: version 1 uploaded (scan.pdf)."]


def test_the_same_file_twice_names_the_existing_version_in_plain_words(open_app: OpenApp, people: People) -> None:
    data = sheet_pdf("same")
    app = upload(open_app(people.editor, page=PAGE), "A-101.pdf", data)
    app = upload(app, "A-101 rev2.pdf", data)

    assert texts(app.error) == ["A-101 rev2.pdf is already version 1 of this drawing; nothing was added."]


def test_a_file_over_the_limit_is_refused_with_the_services_message(
    open_app: OpenApp, people: People, monkeypatch
) -> None:
    monkeypatch.setenv("BUILDTRACE_MAX_UPLOAD_MB", "1")
    from buildtrace_assets.config import get_settings

    get_settings.cache_clear()
    app = upload(open_app(people.editor, page=PAGE), "big.pdf", b"%PDF-1.7\n" + b"0" * (2 * 2**20))

    assert app.file_uploader[0].proto.max_upload_size_mb == 1
    assert texts(app.error) == ["big.pdf is 2,097,161 bytes; the limit is 1,048,576 bytes"]


def test_a_new_drawing_needs_a_name(open_app: OpenApp, people: People) -> None:
    app = upload(open_app(people.editor, page=PAGE), "x.pdf", sheet_pdf("x"), drawing="   ")

    assert texts(app.error) == ["drawing name must not be empty"]


def test_a_viewer_cannot_upload(open_app: OpenApp, people: People) -> None:
    app = open_app(people.viewer, page=PAGE)

    assert texts(app.info) == [
        "Your role in Tower is viewer: only editors and owners upload drawings. Ask an owner of the project to make"
        " you an editor, or read the comparisons on the Jobs page."
    ]
    assert not app.file_uploader


def test_a_reserved_drawing_name_gets_a_message_not_a_traceback(open_app: OpenApp, people: People) -> None:
    app = upload(open_app(people.editor, page=PAGE), "A-101.pdf", sheet_pdf("first"), drawing=".buildtrace-tmp-evil")

    assert not app.exception and not app.success
    assert texts(app.error) == [
        "drawing name must not start with '.buildtrace-tmp-', which is reserved for temporary files"
    ]


def test_a_decompression_bomb_is_refused_with_its_size(open_app: OpenApp, people: People) -> None:
    app = upload(open_app(people.editor, page=PAGE), "bomb.png", png_header_only(60_000, 60_000), "image/png")

    assert not app.exception and not app.success
    assert texts(app.error) == [
        "bomb.png is an image of 60,000 x 60,000 pixels (3,600 megapixels); the limit is 200 megapixels"
    ]


def test_a_set_of_files_is_mapped_to_its_drawings_previewed_uploaded_at_once_and_the_uploader_emptied(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    app = upload(open_app(people.editor, page=PAGE), "A-101.pdf", sheet_pdf("plan"))
    app = upload(app, "S-201.pdf", sheet_pdf("framing"))
    pdf = "application/pdf"

    app = choose(
        app,
        ("A-101 rev2.pdf", sheet_pdf("plan 2"), pdf),
        ("Tower_S-201_r3.pdf", sheet_pdf("framing 2"), pdf),
        ("E-001.pdf", sheet_pdf("lighting"), pdf),
    )

    assert list(app.data_editor[0].value["drawing"]) == ["A-101", "S-201", "E-001"]
    assert texts(app.caption)[-3:] == [
        "A-101 rev2.pdf → a new version of A-101",
        "Tower_S-201_r3.pdf → a new version of S-201",
        "E-001.pdf → version 1 of a new drawing 'E-001'",
    ]
    labelled(app.button, "Upload").click()
    app.run()

    assert texts(app.success) == [
        "A-101: version 2 uploaded (A-101 rev2.pdf).",
        "S-201: version 2 uploaded (Tower_S-201_r3.pdf).",
        "E-001: version 1 uploaded (E-001.pdf).",
    ]
    assert not app.file_uploader[0].value, "the uploader is empty: a second click uploads nothing again"
    assert not [button for button in app.button if button.label == "Upload"]
    versions = portal_env.run(
        lambda s: sorted(
            (d.name, len(drawings.list_versions(s, people.editor, d.id)))
            for d in drawings.list_drawings(s, people.editor, people.project_id)
        )
    )
    assert versions == [("A-101", 2), ("E-001", 1), ("S-201", 2)]
