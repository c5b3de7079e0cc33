"""The HTML part of every e-mail, made from its plain text (docs/product.md: E-mails).

Each message is written once, as text (``templates/email/<name>.txt``); this module
reads that text into blocks and ``templates/email/layout.html`` draws them in the
shop's look: paragraphs, lists, a table for lines that end in an amount (order lines,
shipping), a button for a link alone on its line, and clickable links inside a line.
Nothing here builds markup: the blocks are plain data and the layout template, which
autoescapes, is the only place that writes HTML, so a buyer's name or a tracking
number can never become a tag.

The rules, line by line (a blank line ends a block):
- a line that is only a web address is a button (its address shown under it);
- a line starting with ``- `` (after any indentation) is a list item; indented lines
  next to list items belong with them;
- list items and their indented lines that all end in ``: <amount>`` make a table of
  label and amount; the line just before them (an enterprise's name) heads it;
- other lines make a paragraph, one line each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import render_template

URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)»”’"
_AMOUNT = re.compile(r"^(?P<label>.+?):\s+(?P<amount>-?฿\s?[\d,]+(?:\.\d+)?)$")


@dataclass
class Segment:
    text: str
    href: str | None = None


@dataclass
class Block:
    kind: str  # "paragraph" | "list" | "table" | "button"
    lines: list[list[Segment]] = field(default_factory=list)  # paragraph lines, list items
    rows: list[tuple[str, str]] = field(default_factory=list)  # table: (label, amount)
    heading: str | None = None  # table
    href: str | None = None  # button


def segments(line: str) -> list[Segment]:
    """``line`` cut into text and links (a link keeps no trailing punctuation)."""
    parts: list[Segment] = []
    position = 0
    for match in URL.finditer(line):
        url = match.group(0).rstrip(_TRAILING)
        start, end = match.start(), match.start() + len(url)
        if start > position:
            parts.append(Segment(line[position:start]))
        parts.append(Segment(url, url))
        position = end
    if position < len(line):
        parts.append(Segment(line[position:]))
    return parts


def _is_url(line: str) -> bool:
    match = URL.fullmatch(line)
    return match is not None and match.group(0) == line


def _is_item(raw: str) -> bool:
    return raw.lstrip().startswith("- ")


def _paragraphs(text: str) -> list[list[str]]:
    chunks: list[list[str]] = []
    current: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw.strip():
            current.append(raw.rstrip())
        elif current:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def _grouped(raw_lines: list[str]) -> list[Block]:
    """One paragraph of text (no blank line in it) as blocks."""
    blocks: list[Block] = []
    text: list[str] = []

    def flush_text() -> None:
        if text:
            blocks.append(Block("paragraph", lines=[segments(line) for line in text]))
            text.clear()

    index = 0
    while index < len(raw_lines):
        raw = raw_lines[index]
        line = raw.strip()
        if _is_url(line):
            flush_text()
            blocks.append(Block("button", href=line))
            index += 1
            continue
        if _is_item(raw):
            run = []
            while index < len(raw_lines) and (
                _is_item(raw_lines[index]) or raw_lines[index][:1].isspace()
            ) and not _is_url(raw_lines[index].strip()):
                run.append(raw_lines[index].strip().removeprefix("- ").strip())
                index += 1
            amounts = [_AMOUNT.match(item) for item in run]
            if all(amounts):
                heading = text.pop() if text else None
                flush_text()
                blocks.append(Block("table", heading=heading,
                                    rows=[(m.group("label"), m.group("amount")) for m in amounts]))
            else:
                flush_text()
                blocks.append(Block("list", lines=[segments(item) for item in run]))
            continue
        text.append(line)
        index += 1
    flush_text()
    return blocks


def blocks_from_text(text: str) -> list[Block]:
    """The blocks of a plain-text e-mail body."""
    blocks: list[Block] = []
    for chunk in _paragraphs(text):
        blocks.extend(_grouped(chunk))
    return blocks


def render_html(*, subject: str, body_text: str, locale: str) -> str:
    """The HTML part for a message, in the current (forced) locale."""
    return render_template("email/layout.html", subject=subject, blocks=blocks_from_text(body_text), lang=locale)
