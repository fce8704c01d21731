"""The one report renderer: a document says the same thing in Markdown and in HTML."""

from __future__ import annotations

from medtune.report import Doc, figure, png_bytes, text_table


def test_a_document_renders_the_same_blocks_as_markdown_and_self_contained_html():
    png = png_bytes(figure(2, 2))
    d = Doc()
    d.h(1, "Report <draft>")
    d.p("A gate FAILED", "fail")
    d.table(["metric", "value"], [["a|b", 1.5], ["none", None]], right=True)
    d.ul([])  # an empty list adds nothing
    d.img("chart.png", "a chart", png)
    md = d.markdown()
    assert md.startswith("# Report <draft>\n\n**A gate FAILED**\n\n| metric | value |\n|---|---:|\n| a\\|b | 1.5 |")
    assert "| none |  |" in md and "![a chart](chart.png)" in md
    page = d.html("title")
    assert "<h1>Report &lt;draft&gt;</h1>" in page and '<p class="fail">' in page
    assert '<table class="num">' in page and "data:image/png;base64," in page and "chart.png" not in page


def test_the_terminal_table_aligns_numbers_right():
    assert text_table(["metric", "base"], [["eval loss", "1.5"], ["BLEU", "0.25"]]).splitlines() == [
        "metric     base",
        "---------  ----",
        "eval loss   1.5",
        "BLEU       0.25",
    ]
