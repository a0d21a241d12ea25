"""The outline of a whole report: a tree of numbered headings, each leaf with its length budget,
its figures and its evidence passages.

    plan_report(settings, "青禾县医保局2024年工作总结和2025年工作思路", like="2023年工作总结.txt",
                figures="…", length=3000) → Outline

With `like`, the tree is last year's document (from the knowledge base) moved on by a year: the
总结 part about this year, the 思路 part about next year, each heading reworded by the model one
line at a time and checked (`check_heading`), falling back to the original with its year updated.
Without it, a genre skeleton (`skeletons/*.yaml`) gives the tree and retrieval fills the evidence.
Numbers (一、（一）1.（1）) are always given by code (`number_outline`), never by the model.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.figures import Fact

GENRES = ("工作总结", "党建工作总结", "述职报告", "工作思路")
SKELETONS = Path(__file__).parent / "skeletons"
CN_NUMS = "一二三四五六七八九十"
MIN_SECTION_CHARS = 120
DEFAULT_LENGTH = 3000
REWORD_MIN_CHARS = 8  # shorter headings are standard labels (存在的问题, 工作开展情况): kept

Part = str  # "总结" | "问题" | "思路"


def cn_numeral(i: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十."""
    if i <= 10:
        return CN_NUMS[i - 1]
    if i < 20:
        return "十" + CN_NUMS[i - 11]
    tens, ones = divmod(i, 10)
    return CN_NUMS[tens - 1] + "十" + (CN_NUMS[ones - 1] if ones else "")


def marker(level: int, index: int) -> str:
    """The GB/T 9704 heading marker of the `index`-th (1-based) heading of `level`."""
    if level == 1:
        return f"{cn_numeral(index)}、"
    if level == 2:
        return f"（{cn_numeral(index)}）"
    if level == 3:
        return f"{index}."
    return f"（{index}）"


@dataclass
class OutlineNode:
    level: int
    heading: str  # heading text without its marker: "在医保惠民上着力，制度体系更加完善"
    number: str = ""  # marker as numbered by code: "（一）"
    children: list[OutlineNode] = field(default_factory=list)
    length: int = 0  # target characters of the body (leaves); a parent's is the sum of its leaves
    figures: list[str] = field(default_factory=list)  # figure lines "指标：数值（期间）" assigned here
    evidence: list[dict[str, str]] = field(default_factory=list)  # {"source", "section", "text"}
    part: Part = "总结"
    original: str = ""  # last year's heading (with --like) or the skeleton's, for reference
    query: str = ""  # what retrieval looks for (skeleton nodes)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def display(self) -> str:
        return f"{self.number}{self.heading}"

    def to_json(self, full: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "level": self.level,
            "number": self.number,
            "heading": self.heading,
            "children": [c.to_json(full) for c in self.children],
            "length": self.length,
            "figures": list(self.figures),
        }
        if full:
            data.update(part=self.part, original=self.original, evidence=self.evidence)
            if self.query:
                data["query"] = self.query
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], level: int = 1) -> OutlineNode:
        heading = str(data.get("heading") or "").strip()
        lvl = int(data.get("level") or level)
        heading = strip_marker(heading)
        if not heading:
            raise BiganziError("大纲中有空标题：每个节点都要有 heading")
        node = cls(
            level=lvl,
            heading=heading,
            number=str(data.get("number") or ""),
            length=int(data.get("length") or 0),
            figures=[str(f) for f in data.get("figures") or []],
            evidence=list(data.get("evidence") or []),
            part=str(data.get("part") or "总结"),
            original=str(data.get("original") or ""),
            query=str(data.get("query") or ""),
        )
        node.children = [cls.from_json(c, lvl + 1) for c in data.get("children") or []]
        return node


@dataclass
class Outline:
    title: str
    nodes: list[OutlineNode]
    genre: str = ""
    like: str = ""  # the document it was modelled on (file name)
    this_year: int | None = None
    next_year: int | None = None
    length: int = DEFAULT_LENGTH
    figures_text: str = ""  # the user's figures as given
    notes: list[str] = field(default_factory=list)
    heading_log: list[dict[str, str]] = field(
        default_factory=list
    )  # each rewording: original, reply, why refused

    def leaves(self) -> list[tuple[list[OutlineNode], OutlineNode]]:
        """(ancestors, leaf) in reading order."""
        return list(iter_leaves(self.nodes))

    def to_json(self, full: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.title,
            "outline": [n.to_json(full) for n in self.nodes],
        }
        if full:
            data.update(
                genre=self.genre,
                like=self.like,
                this_year=self.this_year,
                next_year=self.next_year,
                length=self.length,
                figures_text=self.figures_text,
                notes=self.notes,
            )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outline:
        if not isinstance(data, dict) or not isinstance(data.get("outline"), list):
            raise BiganziError(
                "大纲文件格式不对：应为 biganzi report plan --json 输出的 JSON（含 outline 列表）"
            )
        nodes = [OutlineNode.from_json(n) for n in data["outline"]]
        if not nodes:
            raise BiganziError("大纲为空：至少要有一个标题")
        outline = cls(
            title=str(data.get("title") or ""),
            nodes=nodes,
            genre=str(data.get("genre") or ""),
            like=str(data.get("like") or ""),
            this_year=data.get("this_year"),
            next_year=data.get("next_year"),
            length=int(data.get("length") or sum_lengths(nodes) or DEFAULT_LENGTH),
            figures_text=str(data.get("figures_text") or ""),
            notes=list(data.get("notes") or []),
        )
        number_outline(outline.nodes)
        return outline

    @classmethod
    def load(cls, path: str | Path) -> Outline:
        p = Path(path)
        try:
            return cls.from_json(json.loads(p.read_text(encoding="utf-8")))
        except OSError as e:
            raise BiganziError(f"无法读取大纲文件 {p}：{e.strerror or e}") from e
        except ValueError as e:
            raise BiganziError(f"大纲文件 {p} 不是合法的 JSON：{e}") from e

    def fingerprint(self) -> str:
        raw = json.dumps(self.to_json(full=False), ensure_ascii=False, sort_keys=True)
        return hashlib.sha1(raw.encode()).hexdigest()[:12]


def iter_leaves(
    nodes: Sequence[OutlineNode], ancestors: tuple[OutlineNode, ...] = ()
) -> Iterator[tuple[list[OutlineNode], OutlineNode]]:
    for n in nodes:
        if n.is_leaf:
            yield list(ancestors), n
        else:
            yield from iter_leaves(n.children, (*ancestors, n))


def iter_nodes(nodes: Sequence[OutlineNode]) -> Iterator[OutlineNode]:
    for n in nodes:
        yield n
        yield from iter_nodes(n.children)


def sum_lengths(nodes: Sequence[OutlineNode]) -> int:
    return sum(n.length if n.is_leaf else sum_lengths(n.children) for n in nodes)


_MARKER = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]|[一二三四五六七八九十]{1,3}\s*[、．.]|\d{1,2}\s*[.．、](?!\d))\s*"
)


def strip_marker(heading: str) -> str:
    """ "（三）综合施策“护基金”" → "综合施策“护基金”"."""
    return _MARKER.sub("", heading.strip(), count=1).strip()


def number_outline(nodes: Sequence[OutlineNode], level: int = 1) -> None:
    """Number every heading by its depth and position: 一、 → （一） → 1. → （1）; parents' lengths
    become the sum of their leaves'."""
    for i, n in enumerate(nodes, start=1):
        n.level = level
        n.number = marker(min(level, 4), i)
        if n.children:
            number_outline(n.children, level + 1)
            n.length = sum_lengths(n.children)


# --- years ---------------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年)")


def years_of(text: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(text)]


def target_years(title: str) -> tuple[int | None, int | None]:
    """(this year, next year) from the report title: "2024年工作总结和2025年工作思路" → (2024, 2025);
    a title with only 思路 years is about next year."""
    ys = years_of(title)
    if not ys:
        return None, None
    if len(ys) == 1 and re.search(r"思路|打算|计划|要点", title) and not re.search(r"总结|述职", title):
        return ys[0] - 1, ys[0]
    return ys[0], (ys[1] if len(ys) > 1 else ys[0] + 1)


def shift_years(text: str, old_this: int | None, this: int | None) -> str:
    """Move every year of last year's text on by the gap between the two reports."""
    if not old_this or not this or old_this == this:
        return text
    delta = this - old_this
    return _YEAR.sub(lambda m: str(int(m.group(1)) + delta), text)


# --- parts ----------------------------------------------------------------------------------------

_PLAN_WORDS = re.compile(r"思路|打算|计划|要点|下一步|下步|展望|任务清单|工作安排|努力方向|目标任务")
_PROBLEM_WORDS = re.compile(r"问题|不足|短板|差距|困难|问题清单")


def part_of(heading: str, this_year: int | None = None) -> Part:
    if _PLAN_WORDS.search(heading):
        return "思路"
    ys = years_of(heading)
    if this_year and ys and ys[0] > this_year:
        return "思路"
    if _PROBLEM_WORDS.search(heading):
        return "问题"
    return "总结"


# --- heading check ------------------------------------------------------------------------------

_SEGMENT = re.compile(r"[，,；;]")
_BAD = re.compile(r"[【】\[\]#*：:「」]|标题|改写|如下|好的")


def clean_heading_reply(reply: str) -> str:
    """The model's one line, without what small models put around it."""
    line = next((ln for ln in reply.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^(新标题|标题|改写后|答)[：:]\s*", "", line.strip())
    line = re.split(r"[：:]", line)[-1]  # "XX局2024年工作重点：在惠民上发力，…" → the part after the colon
    line = strip_marker(line)
    return line.strip(" \t\u3000\"'“”。.!！").replace("**", "")


def heading_pattern(heading: str) -> list[int]:
    """Lengths of the comma-separated parts: "紧扣基金绩效，深化医药改革" → [6, 6]."""
    return [len(p) for p in _SEGMENT.split(heading)]


def sibling_leads(nodes: Sequence[OutlineNode]) -> dict[int, str]:
    """id(node) → the opening its siblings share ("在", "紧扣"): a parallel series keeps it."""
    out: dict[int, str] = {}

    def walk(group: Sequence[OutlineNode]) -> None:
        if len(group) >= 2:
            heads = [n.heading for n in group]
            size = 0
            while size < min(4, *map(len, heads)) and len({h[size] for h in heads}) == 1:
                size += 1
            lead = heads[0][:size]
            for n in group:
                out[id(n)] = lead
        for n in group:
            walk(n.children)

    walk(nodes)
    return out


def check_heading(new: str, original: str, taken: Sequence[str] = (), lead: str = "") -> str | None:
    """Why a reworded heading is refused (None = accepted): it must keep the original's length
    (±40 %), its pattern (same number of parts; exact lengths where the parts are equal short
    pairs, like four-character pairs; the opening its siblings share, `lead`), carry no digit the
    original lacks, and be new."""
    if not new:
        return "空"
    if _BAD.search(new):
        return "含提示语或符号"
    if new in taken:
        return "与已有标题重复"
    if lead and not new.startswith(lead):
        return f"没有沿用同级标题共同的开头“{lead}”"
    n, o = len(new), len(original)
    if n < 0.6 * o or n > 1.4 * o + 2:
        return f"长度{n}与原标题{o}相差太多"
    if re.search(r"\d", new) and set(re.findall(r"\d+", new)) - set(re.findall(r"\d+", original)):
        return "含原标题没有的数字"
    pat_o, pat_n = heading_pattern(original), heading_pattern(new)
    if len(pat_o) != len(pat_n):
        return "分句数与原标题不同"
    if len(pat_o) > 1 and len(set(pat_o)) == 1 and pat_o[0] <= 8 and pat_n != pat_o:
        return "对仗字数与原标题不同"
    if any(abs(a - b) > max(2, a // 2) for a, b in zip(pat_o, pat_n, strict=True)):
        return "分句长短与原标题不同"
    return None


# --- the tree from last year's document ---------------------------------------------------------


def find_like(base: Any, ref: str) -> Any:
    """A document of the KB by file name, title or 编号 (id prefix), as `biganzi docs` shows them."""
    ref = ref.strip()
    docs = base.documents()
    by_title = [d for d in docs if d.title == ref or Path(d.source).stem == ref]
    if len(by_title) == 1:
        return by_title[0]
    return base.find_document(ref)


def tree_from_chunks(chunks: Sequence[Any]) -> list[OutlineNode]:
    """The heading tree of a document from its chunks' heading paths (reading order), each node
    with its own text as evidence."""
    roots: list[OutlineNode] = []
    index: dict[tuple[str, ...], OutlineNode] = {}
    for c in chunks:
        path = [h for h in c.heading_path if h]
        for depth in range(1, len(path) + 1):
            key = tuple(path[:depth])
            if key in index:
                continue
            node = OutlineNode(level=depth, heading=strip_marker(path[depth - 1]) or path[depth - 1])
            node.original = node.heading
            index[key] = node
            (index[key[:-1]].children if depth > 1 else roots).append(node)
        if path:
            index[tuple(path)].evidence.append(
                {"source": c.source, "section": " > ".join(path), "text": c.text}
            )
    return roots


def _like_tree(settings: Settings, kb: str | None, like: str) -> tuple[list[OutlineNode], Any]:
    from index.store import open_kb

    with open_kb(settings, kb) as base:
        record = find_like(base, like)
        chunks = list(base.iter_chunks(record))
    nodes = tree_from_chunks(chunks)
    if not nodes:
        raise BiganziError(f"{record.source} 中没有识别到 一、/（一） 标题，无法照它列大纲；请改用 --genre")
    return nodes, record


# --- skeletons ------------------------------------------------------------------------------------


def load_skeleton(genre: str) -> dict[str, Any]:
    import yaml

    path = SKELETONS / f"{genre}.yaml"
    if not path.exists():
        raise BiganziError(f"没有文体“{genre}”的大纲模板；可选：{'、'.join(GENRES)}")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def skeleton_tree(genre: str, this_year: int | None, next_year: int | None) -> list[OutlineNode]:
    data = load_skeleton(genre)
    this = str(this_year) if this_year else "今"
    nxt = str(next_year) if next_year else "明"

    def build(item: dict[str, Any], level: int, part: str) -> OutlineNode:
        heading = (
            str(item["heading"])
            .format(this=this, next=nxt)
            .replace("今年年", "今年")
            .replace("明年年", "明年")
        )
        p = str(item.get("part") or part)
        node = OutlineNode(
            level=level, heading=heading, part=p, original=heading, query=str(item.get("query") or "")
        )
        node.children = [build(c, level + 1, p) for c in item.get("children") or []]
        return node

    return [build(s, 1, "总结") for s in data["sections"]]


def _fill_evidence(settings: Settings, kb: str | None, outline: Outline, k: int = 3) -> None:
    """Evidence for every leaf: the KB's best passages for its heading (and query words)."""
    from index.retrieve import search

    kinds = {"总结": "成绩", "问题": "问题", "思路": "打算"}
    for ancestors, leaf in outline.leaves():
        query = " ".join([*(a.heading for a in ancestors[-1:]), leaf.heading, leaf.query]).strip()
        try:
            hits = search(settings, query, k=k, section_kind=kinds.get(leaf.part), kb=kb)
            if not hits:
                hits = search(settings, query, k=k, kb=kb)
        except BiganziError as e:
            outline.notes.append(f"未使用知识库：{e}")
            return
        leaf.evidence = [{"source": h.source, "section": h.section, "text": h.text} for h in hits]


# --- figures ---------------------------------------------------------------------------------------


def figure_line(f: Fact) -> str:
    """One fact as a lock line the figures parser reads back: "参保人数：52.3万人（2024年）"."""
    line = f"{f.metric}：{f.text}" if f.metric else f.source or f.text
    if f.period and f.period not in line:
        line += f"（{f.period}）"
    return line


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"[^\u4e00-\u9fff]", "", s)
    return {s[i : i + 2] for i in range(len(s) - 1)}


def _affinity(metric: str, leaf: OutlineNode) -> float:
    """How well a metric fits a section: its bigrams found in the heading (double weight) and the
    evidence text."""
    grams = _bigrams(metric)
    if not grams:
        return 0.0
    head = _bigrams(leaf.heading + leaf.original)
    body = (
        set().union(*(_bigrams(e.get("text", "") + e.get("section", "")) for e in leaf.evidence))
        if leaf.evidence
        else set()
    )
    return (2 * len(grams & head) + len(grams & body)) / len(grams)


def _is_future(f: Fact, outline: Outline) -> bool:
    """A target for next year: the fact's own words name next year (the parser fills a missing
    year from the whole text, so `f.year` alone is not enough)."""
    nxt = outline.next_year
    if not nxt or nxt == outline.this_year:
        return False
    own = f"{f.period}{f.metric}{f.source}"
    return str(nxt) in own or bool(re.search(r"目标|计划|力争|预计", f.metric))


def assign_figures(outline: Outline, facts: Sequence[Fact]) -> list[str]:
    """Give each fact to one leaf, by metric: figures of this year (or of no stated year) go to the
    总结 part only, next year's targets to the 思路 part. Ties and unmatched facts go to the leaf
    holding fewest figures, so none is dropped. Returns notes."""
    notes: list[str] = []
    leaves = [leaf for _, leaf in outline.leaves()]
    for leaf in leaves:
        leaf.figures = []
    summary = [lf for lf in leaves if lf.part == "总结"]
    plans = [lf for lf in leaves if lf.part == "思路"]
    for f in facts:
        future = _is_future(f, outline)
        pool = (plans if future else summary) or summary or leaves
        if not pool:
            continue
        best = max(pool, key=lambda lf: (_affinity(f.metric, lf), -len(lf.figures), -pool.index(lf)))
        if _affinity(f.metric, best) == 0:
            best = min(pool, key=lambda lf: (len(lf.figures), pool.index(lf)))
        best.figures.append(figure_line(f))
    if facts and not summary:
        notes.append("大纲中没有总结今年工作的部分，今年数据已分到其他小节")
    return notes


# --- length ----------------------------------------------------------------------------------------


def budget_lengths(outline: Outline, total: int, weights: dict[int, float] | None = None) -> None:
    """Split `total` characters over the leaves (headings and title taken off first), in proportion
    to `weights` (id(leaf) → weight; equal by default), at least MIN_SECTION_CHARS each."""
    leaves = [leaf for _, leaf in outline.leaves()]
    if not leaves:
        return
    heading_chars = sum(len(n.display) for n in iter_nodes(outline.nodes)) + len(outline.title)
    body = max(total - heading_chars, MIN_SECTION_CHARS * len(leaves))
    w = [max(0.01, (weights or {}).get(id(lf), 1.0)) for lf in leaves]
    mean = sum(w) / len(w)
    w = [min(max(x, 0.6 * mean), 1.6 * mean) for x in w]  # no section starved or bloated
    s = sum(w)
    for lf, x in zip(leaves, w, strict=True):
        lf.length = max(MIN_SECTION_CHARS, round(body * x / s / 10.0) * 10)
    number_outline(outline.nodes)


# --- rewording ---------------------------------------------------------------------------------------


def reword_headings(
    settings: Settings,
    outline: Outline,
    model: BaseChatModel | None = None,
    ask: Callable[[str], str] | None = None,
) -> list[str]:
    """Reword each heading that carries no year, one line per model call, checked; a refused reply
    keeps the original heading (years already moved on). Returns notes."""
    from assistant.prompts import render

    if ask is None:
        model = model or _chat_model(settings)
        ask = lambda prompt: _ask_line(model, prompt, settings)  # noqa: E731
    notes: list[str] = []
    taken: list[str] = []
    kept = 0
    leads = sibling_leads(outline.nodes)
    for node in iter_nodes(outline.nodes):
        if years_of(node.heading) or len(node.heading) < REWORD_MIN_CHARS:
            taken.append(node.heading)
            continue
        metrics = [re.split(r"[：:]", f, maxsplit=1)[0] for f in node.figures]
        prompt = render(
            "report_heading",
            title=outline.title,
            heading=node.heading,
            part=node.part,
            year=outline.next_year if node.part == "思路" else outline.this_year,
            metrics=metrics[:6],
            pattern=heading_pattern(node.heading),
        )
        try:
            reply = clean_heading_reply(ask(prompt))
        except BiganziError as e:
            notes.append(f"标题改写失败，保留原标题：{e}")
            break
        why = check_heading(reply, node.heading, taken, leads.get(id(node), ""))
        outline.heading_log.append({"original": node.heading, "reply": reply, "refused": why or ""})
        if why is None:
            node.heading = reply
        elif reply != node.heading:
            kept += 1
        taken.append(node.heading)
    if kept:
        notes.append(f"{kept} 个标题的改写未通过检查（长度、句式或数字），保留原标题")
    return notes


def _chat_model(settings: Settings) -> BaseChatModel:
    from assistant import llm as llm_api

    return llm_api.get_chat_model(settings)


def _ask_line(model: BaseChatModel, prompt: str, settings: Settings) -> str:
    from langchain_core.messages import HumanMessage

    from assistant.llm.messages import text_of

    reply = model.invoke([HumanMessage(content=prompt)], max_tokens=48, stop=["\n"], temperature=0.5)
    return text_of(reply)


# --- the plan ----------------------------------------------------------------------------------------


def plan_report(
    settings: Settings,
    title: str,
    *,
    kb: str | None = None,
    like: str | None = None,
    genre: str | None = None,
    length: int = DEFAULT_LENGTH,
    figures: str | None = None,
    model: BaseChatModel | None = None,
    reword: bool = True,
) -> Outline:
    """An editable outline for `title` (see the module doc)."""
    from assistant.figures import parse_figures

    title = (title or "").strip()
    if not title:
        raise BiganziError("请给出报告标题，例如 --title “青禾县医保局2024年工作总结和2025年工作思路”")
    if length < 300 or length > 30000:
        raise BiganziError(f"篇幅 {length} 字不合理：整篇报告请给 300～30000 之间的字数（--length）")
    this_year, next_year = target_years(title)
    outline = Outline(title=title, nodes=[], length=length, this_year=this_year, next_year=next_year)
    weights: dict[int, float] = {}
    if like:
        nodes, record = _like_tree(settings, kb, like)
        outline.like = record.source
        outline.genre = record.genre or ""
        old_this = record.year
        if this_year is None and old_this:
            outline.this_year, outline.next_year = old_this + 1, old_this + 2
        for top in nodes:
            part = part_of(top.heading, old_this)
            for n in iter_nodes([top]):
                n.part = part
                n.heading = shift_years(n.heading, old_this, outline.this_year)
        for _, leaf in iter_leaves(nodes):
            weights[id(leaf)] = float(sum(len(e["text"]) for e in leaf.evidence) or 1)
        outline.nodes = nodes
    else:
        g = genre or _genre_from_title(title)
        outline.genre = g
        outline.nodes = skeleton_tree(g, outline.this_year, outline.next_year)
        _fill_evidence(settings, kb, outline)
    number_outline(outline.nodes)
    outline.figures_text = (figures or "").strip()
    parse = parse_figures(outline.figures_text) if outline.figures_text else None
    if parse and parse.unparsed:
        outline.notes.append("以下数据未能识别，未分配：" + "；".join(parse.unparsed[:5]))
    outline.notes += assign_figures(outline, parse.facts if parse else [])
    budget_lengths(outline, length, weights)
    if reword and like:
        outline.notes += reword_headings(settings, outline, model)
    number_outline(outline.nodes)
    return outline


def _genre_from_title(title: str) -> str:
    for g in ("党建工作总结", "述职报告"):
        if g in title or (g == "述职报告" and "述职" in title):
            return g
    if "党建" in title:
        return "党建工作总结"
    if re.search(r"思路|打算|计划|要点", title) and "总结" not in title:
        return "工作思路"
    return "工作总结"


def outline_text(outline: Outline) -> str:
    """Human view: the numbered tree with lengths and figures."""
    lines = [outline.title]
    for n in iter_nodes(outline.nodes):
        pad = "  " * (n.level - 1)
        extra = f"  〔{n.part}，约{n.length}字"
        if n.figures:
            extra += "，数据：" + "；".join(n.figures)
        lines.append(f"{pad}{n.display}{extra}〕")
    lines += [f"注：{x}" for x in outline.notes]
    return "\n".join(lines)
