"""One document model for every report medtune writes (evaluation, safety report), and the one
chart helper.

A report is built once as blocks (heading, paragraph, table, list, image) and written as
Markdown, as one self-contained HTML page (images inlined), or both, so the two formats can
never say different things. Charts are matplotlib figures without pyplot: no global backend,
no display needed, safe in a server process.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any


def figure(width: float = 7.0, height: float = 4.0):
    """A matplotlib Figure (constrained layout) that is not registered with pyplot."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def png_bytes(fig) -> bytes:
    """The figure as PNG bytes, trimmed to its content."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


class Doc:
    """Blocks rendered to Markdown or HTML.

    ``p(text, cls)``: ``cls`` "fail" is bold in Markdown and red in HTML, "ok" green in HTML.
    ``table(..., right=True)`` right-aligns every column after the first (numbers).
    """

    def __init__(self) -> None:
        self.blocks: list[tuple] = []

    def h(self, level: int, text: str) -> None:
        self.blocks.append(("h", level, text))

    def p(self, text: str, cls: str = "") -> None:
        self.blocks.append(("p", text, cls))

    def table(self, header: list[str], rows: list[list[Any]], *, right: bool = False) -> None:
        self.blocks.append(("table", header, [[("" if c is None else str(c)) for c in r] for r in rows], right))

    def ul(self, items: list[str]) -> None:
        if items:
            self.blocks.append(("ul", items))

    def img(self, name: str, alt: str, png: bytes | None = None) -> None:
        """An image: a file beside the Markdown, inlined in HTML when ``png`` is given."""
        self.blocks.append(("img", name, alt, png))

    def markdown(self) -> str:
        out: list[str] = []
        for b in self.blocks:
            kind = b[0]
            if kind == "h":
                out.append(f"{'#' * b[1]} {b[2]}")
            elif kind == "p":
                out.append(f"**{b[1]}**" if b[2] == "fail" else b[1])
            elif kind == "table":
                out.append(markdown_table(b[1], b[2], right=b[3]))
            elif kind == "ul":
                out.append("\n".join(f"- {i}" for i in b[1]))
            elif kind == "img":
                out.append(f"![{b[2]}]({b[1]})")
        return "\n\n".join(out) + "\n"

    def html(self, title: str) -> str:
        e = html.escape
        body: list[str] = []
        for b in self.blocks:
            kind = b[0]
            if kind == "h":
                body.append(f"<h{b[1]}>{e(b[2])}</h{b[1]}>")
            elif kind == "p":
                body.append(f"<p class=\"{e(b[2])}\">{e(b[1])}</p>" if b[2] else f"<p>{e(b[1])}</p>")
            elif kind == "table":
                num = " class=\"num\"" if b[3] else ""
                head = "".join(f"<th>{e(h)}</th>" for h in b[1])
                rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in b[2])
                body.append(f"<table{num}><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
            elif kind == "ul":
                body.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in b[1]) + "</ul>")
            elif kind == "img":
                src = f"data:image/png;base64,{base64.b64encode(b[3]).decode('ascii')}" if b[3] is not None else b[1]
                body.append(f"<figure><img alt=\"{e(b[2])}\" src=\"{e(src)}\"></figure>")
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(body)
            + "\n</body></html>\n"
        )


def markdown_table(header: list[str], rows: list[list[str]], *, right: bool = False) -> str:
    cell = lambda s: s.replace("|", "\\|").replace("\n", " ")  # noqa: E731
    rule = "|" + "|".join(["---"] + [("---:" if right else "---")] * (len(header) - 1)) + "|"
    return "\n".join(
        ["| " + " | ".join(cell(h) for h in header) + " |", rule] + ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    )


def text_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table for the terminal: first column left-aligned, the rest right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *[line(r) for r in rows]])


_CSS = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
    "color:#1a1a1a;line-height:1.45}table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f1f3f5}"
    "table.num td+td{text-align:right}"
    "tbody tr:nth-child(even){background:#fafafa}h1{border-bottom:2px solid #333}h2{margin-top:1.6em;"
    "border-bottom:1px solid #ddd}p.fail{color:#b00020;font-weight:bold}p.ok{color:#176f2c;font-weight:bold}"
    "td:first-child{white-space:nowrap}figure{margin:1em 0}img{max-width:100%}pre{background:#f6f8fa;padding:.6em;overflow-x:auto}"
)
