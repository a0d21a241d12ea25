"""Plain data passed between the pipeline steps (see GUIDE.md: load → clean → structure → chunk → store)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SectionKind = Literal["成绩", "问题", "原因", "打算", "other"]


@dataclass
class LoadedFile:
    """A file read from disk: its text (decoded, not yet cleaned) and where it came from."""

    path: str
    text: str
    encoding: str | None = None
    # Word heading levels from docx paragraph styles, keyed by 0-based line index of `text`.
    style_levels: dict[int, int] = field(default_factory=dict)


@dataclass
class Section:
    """One heading and what is under it. `heading` is as written, marker included: "（三）综合施策“护基金”"."""

    level: int  # 1 = 一、  2 = （一）  3 = 1.  4 = （1）
    number: str  # bare numeral as written: "三", "1"
    heading: str
    body: str = ""  # text directly under the heading (before any child heading), cleaned original
    items: list[str] = field(default_factory=list)  # 一是…二是… enumeration items inside the body
    kind: SectionKind = "other"  # inherited from the top section
    line: int = 0  # 1-based line number of the heading in the cleaned text
    children: list[Section] = field(default_factory=list)
    tail: str = ""  # summary text after the children ("产生上述问题的原因…", "综上…")

    def outline(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "number": self.number,
            "heading": self.heading,
            "children": [c.outline() for c in self.children],
        }


@dataclass
class Document:
    title: str
    preamble: str = ""
    sections: list[Section] = field(default_factory=list)
    year: int | None = None
    org: str | None = None
    genre: str | None = None
    source: str = ""  # file name
    years: list[int] = field(default_factory=list)  # every year in the title, in order (year = first)
    genres: list[str] = field(default_factory=list)  # every genre in the title (genre = first)


@dataclass
class Chunk:
    text: str  # what citations show: the cleaned original
    source: str  # file name
    title: str
    heading_path: list[str]  # headings as written, top first
    position: int  # order within the document
    year: int | None = None
    org: str | None = None
    genre: str | None = None
    section_kind: SectionKind = "other"

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)

    @property
    def embed_text(self) -> str:
        """Heading path first, so a passage about 护基金 is found by its heading too."""
        return f"{self.section}\n{self.text}" if self.heading_path else self.text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchHit:
    source: str
    title: str
    section: str  # heading path joined with " > "
    text: str
    score: float
    year: int | None = None
    genre: str | None = None
    section_kind: str = "other"
    doc_id: str = ""
    chunk_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "text": self.text,
            "score": self.score,
        }
