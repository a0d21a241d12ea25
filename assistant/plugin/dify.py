"""Dify's External Knowledge API: `POST /retrieval` over a 笔杆子 knowledge base.

    {"knowledge_id": "default", "query": "医保基金监管",
     "retrieval_setting": {"top_k": 3, "score_threshold": 0.5},
     "metadata_condition": {"logical_operator": "and",
                            "conditions": [{"name": ["year"], "comparison_operator": "=", "value": "2023"}]}}
    → {"records": [{"content": …, "score": 0.87, "title": …,
                    "metadata": {"source": …, "section": …, "year": 2023, "genre": "工作总结"}}]}

`knowledge_id` names the knowledge base. `score` is the hybrid search's relevance scaled to 0–1
(1 = first in both the dense and the keyword ranking), so Dify's score threshold means what it says;
it is never a distance. Conditions on `year` and `genre` narrow the search itself (more candidates
are fetched when a condition cannot be pushed down); every condition is also checked on each
record's metadata, with Dify's operators. Errors: `{error_code, error_msg}` — 1001/1002 (403) come
from `assistant.plugin.access`, 2001 (404) is an unknown knowledge base.

No `from __future__ import annotations` here: FastAPI reads the endpoints' type hints at run time.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.errors import BiganziError
from core.settings import Settings

if TYPE_CHECKING:
    from fastapi import APIRouter

    from index.models import SearchHit

MAX_TOP_K = 50
OVERFETCH = 5  # candidates per asked record when a condition is checked only after the search


class DifyError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"error_code": self.code, "error_msg": self.message}


@dataclass
class Condition:
    name: str
    op: str
    value: Any = None


def metadata(hit: "SearchHit") -> dict[str, Any]:
    return {"source": hit.source, "section": hit.section, "year": hit.year, "genre": hit.genre or ""}


def _conditions(raw: Any) -> tuple[str, list[Condition]]:
    if not raw:
        return "and", []
    if not isinstance(raw, dict):
        raise DifyError(400, 400, "metadata_condition 应为对象：{logical_operator, conditions}")
    logic = str(raw.get("logical_operator") or "and").lower()
    if logic not in ("and", "or"):
        raise DifyError(400, 400, f"logical_operator 只能是 and 或 or，收到 {logic!r}")
    out = []
    for c in raw.get("conditions") or []:
        if not isinstance(c, dict) or not c.get("comparison_operator"):
            raise DifyError(400, 400, "conditions 的每一项应有 name 与 comparison_operator")
        names = c.get("name")
        names = names if isinstance(names, list) else [names]
        for n in names:
            if n:
                out.append(Condition(str(n), str(c["comparison_operator"]).strip().lower(), c.get("value")))
    return logic, out


def _number(v: Any) -> float | None:
    try:
        return float(str(v).strip().rstrip("年"))
    except (TypeError, ValueError):
        return None


def matches(meta: dict[str, Any], cond: Condition) -> bool:
    """One Dify condition on one record's metadata (unknown fields and operators never match)."""
    if cond.name not in meta:
        return False
    have = meta[cond.name]
    text = "" if have is None else str(have)
    op, want = cond.op, cond.value
    if op in ("empty", "null"):
        return text == ""
    if op in ("not empty", "not null"):
        return text != ""
    if op == "in":
        return text in [str(v) for v in (want if isinstance(want, list) else [want])]
    if op == "not in":
        return text not in [str(v) for v in (want if isinstance(want, list) else [want])]
    w = "" if want is None else str(want)
    if op == "contains":
        return w in text
    if op == "not contains":
        return w not in text
    if op == "start with":
        return text.startswith(w)
    if op == "end with":
        return text.endswith(w)
    if op == "is":
        return text == w or (_number(text) is not None and _number(text) == _number(w))
    if op == "is not":
        return not (text == w or (_number(text) is not None and _number(text) == _number(w)))
    a, b = _number(have), _number(want)
    if a is None or b is None:
        return False
    return {
        "=": a == b,
        "≠": a != b,
        "!=": a != b,
        ">": a > b,
        "<": a < b,
        "≥": a >= b,
        ">=": a >= b,
        "≤": a <= b,
        "<=": a <= b,
        "after": a > b,
        "before": a < b,
    }.get(op, False)


def _pushdown(logic: str, conds: list[Condition]) -> tuple[int | None, str | None, bool]:
    """(year, genre) the search itself can filter by, and whether other conditions remain."""
    year: int | None = None
    genre: str | None = None
    rest = False
    for c in conds:
        if logic == "and" and c.name == "year" and c.op in ("is", "=") and _number(c.value) is not None:
            year = int(_number(c.value) or 0)
        elif logic == "and" and c.name == "genre" and c.op in ("is", "contains") and c.value:
            genre = str(c.value)
        else:
            rest = True
    return year, genre, rest


def retrieve(settings: Settings, body: Any) -> dict[str, Any]:
    """Dify's request → `{"records": [...]}`; raises DifyError for a bad request or unknown base."""
    from index.retrieve import search
    from index.store import validate_name

    if not isinstance(body, dict):
        raise DifyError(400, 400, "请求体应为 JSON 对象")
    kb = str(body.get("knowledge_id") or "").strip()
    try:
        validate_name(kb)
    except BiganziError as e:
        raise DifyError(404, 2001, f"知识库 {kb!r} 不存在：{e}") from e
    if not (settings.kb_root / kb / "registry.sqlite3").exists():
        raise DifyError(404, 2001, f"知识库 {kb} 不存在；先运行 biganzi ingest 文件 --kb {kb}")
    query = str(body.get("query") or "").strip()
    setting = body.get("retrieval_setting") or {}
    if not isinstance(setting, dict):
        raise DifyError(400, 400, "retrieval_setting 应为对象：{top_k, score_threshold}")
    try:
        top_k = min(max(int(setting.get("top_k") or 5), 1), MAX_TOP_K)
        threshold = float(setting.get("score_threshold") or 0.0)
    except (TypeError, ValueError) as e:
        raise DifyError(400, 400, "top_k 应为整数，score_threshold 应为 0–1 的数") from e
    logic, conds = _conditions(body.get("metadata_condition"))
    if not query:
        return {"records": []}
    year, genre, rest = _pushdown(logic, conds)
    k = min(top_k * OVERFETCH, MAX_TOP_K * OVERFETCH) if rest else top_k
    try:
        hits = search(settings, query, k=k, year=year, genre=genre, kb=kb)
    except BiganziError as e:
        if genre and "文种" in str(e):  # no document of that genre: nothing matches
            return {"records": []}
        raise
    records = []
    for h in hits:
        meta = metadata(h)
        if conds:
            checks = [matches(meta, c) for c in conds]
            if not (all(checks) if logic == "and" else any(checks)):
                continue
        score = min(max(float(h.score), 0.0), 1.0)
        if score < threshold:
            continue
        records.append(
            {"content": h.text, "score": round(score, 4), "title": h.title or h.source, "metadata": meta}
        )
        if len(records) == top_k:
            break
    return {"records": records}


def router(settings: Settings) -> "APIRouter":
    from fastapi import APIRouter, Request
    from fastapi.responses import JSONResponse
    from starlette.concurrency import run_in_threadpool

    api = APIRouter()

    @api.post("/retrieval")
    async def retrieval(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except Exception:
            return JSONResponse({"error_code": 400, "error_msg": "请求体不是合法的 JSON"}, status_code=400)
        try:
            return JSONResponse(await run_in_threadpool(retrieve, settings, body))
        except DifyError as e:
            return JSONResponse(e.body(), status_code=e.status)
        except BiganziError as e:
            return JSONResponse({"error_code": 500, "error_msg": str(e)}, status_code=500)

    return api
