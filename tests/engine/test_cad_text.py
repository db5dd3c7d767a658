"""CAD text as a page's words: texts, block attributes and dimension values, exactly as the drawing holds them."""

import ezdxf

from buildtrace_assets.engine.documents import open_document


def test_a_dxf_page_has_its_texts_attributes_and_dimension_values_as_words(tmp_path):
    document = ezdxf.new(setup=True)
    model = document.modelspace()
    model.add_line((0, 0), (1000, 0))
    model.add_text("GRID A", height=40).set_placement((0, 600))
    block = document.blocks.new("TAG")
    block.add_circle((0, 0), 60)
    block.add_attdef("NO", (0, 0), dxfattribs={"height": 40})
    model.add_blockref("TAG", (800, 600)).add_auto_attribs({"NO": "D-12"})
    model.add_linear_dim(base=(0, -200), p1=(0, 0), p2=(1000, 0), dimstyle="Standard", override={"dimtxt": 40}).render()
    path = tmp_path / "plan.dxf"
    document.saveas(path)

    with open_document(path) as doc:
        words = {word.text: word.bbox for word in doc.text_layer_words(0)}
        image = doc.render(0, 72)

    assert {"GRID", "A", "D-12", "1000"} <= set(words)
    for text in ("GRID", "D-12", "1000"):
        x0, y0, x1, y1 = (round(value) for value in words[text])
        assert (image[y0:y1, x0:x1] < 128).any(), text  # each word sits on its ink


def test_mtext_reads_as_printed_stacked_fractions_included(tmp_path):
    document = ezdxf.new()
    document.modelspace().add_mtext(r'{\fArial|b0;MULLION 2\S1#2;" x 5\S1^4;"}', dxfattribs={"char_height": 20})
    path = tmp_path / "detail.dxf"
    document.saveas(path)

    with open_document(path) as doc:
        assert [word.text for word in doc.text_layer_words(0)] == ["MULLION", "2", '1/2"', "x", "5", '1/4"']
