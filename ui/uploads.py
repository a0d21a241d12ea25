"""Upload safety: allowed types, a size limit, sanitised names, copies only inside the data dir.

Every browser upload first lands in Gradio's upload folder; nothing reads it from there. Each file is
checked on its own and copied under `data_dir/uploads/...` with a clean name, so one bad file gets
one plain message and the rest of the batch goes on.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

KB_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".docx", ".pdf")
FIGURE_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx")

_MAX_NAME_CHARS = 120
# Letters and digits of any script (CJK included), plus a few safe punctuation marks.
_UNSAFE = re.compile(r"[^\w.\-（）()【】《》、，·＋+ ]", re.UNICODE)
_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


@dataclass
class Rejected:
    name: str  # the name as the user sent it
    reason: str  # plain words, shown as is


@dataclass
class UploadResult:
    accepted: list[Path] = field(default_factory=list)  # copies inside the data dir
    rejected: list[Rejected] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [f"{r.name}：{r.reason}" for r in self.rejected]


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder or upset a file system: no path parts, no control
    characters, no leading dots, bounded length; Chinese characters are kept as they are."""
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[\\/]", name)[-1]  # drop any directory part, Windows or POSIX
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"_+", "_", name).lstrip("-_")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix.lower()[:10]
    stem = stem[: _MAX_NAME_CHARS - len(suffix) - 1].strip(" ._") or "文件"
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return f"{stem}.{suffix}" if suffix else stem


def upload_name(path: str | Path) -> str:
    """The name the user gave the file (Gradio keeps it as the last path part of its upload copy)."""
    return Path(str(path)).name


def is_inside(path: Path, root: Path) -> bool:
    """`path` (symlinks resolved) lies under `root`."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def copy_into(src: Path, dest_dir: Path, root: Path) -> Path:
    """Copy `src` into `dest_dir` (which must be under `root`) atomically under a sanitised name."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / safe_name(upload_name(src))
    if not is_inside(dest_dir, root) or not is_inside(dest.parent, root) or dest.is_symlink():
        raise ValueError(f"refusing to write outside {root}")
    fd, tmp = tempfile.mkstemp(dir=dest_dir, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, length=1 << 20)
        os.replace(tmp, dest)  # a reader never sees half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def accept_uploads(
    files: Iterable[str | Path | None],
    dest_dir: Path,
    root: Path,
    allowed: tuple[str, ...],
    max_mb: float,
) -> UploadResult:
    """Check each uploaded file on its own; good ones are copied into `dest_dir` (under `root`)."""
    result = UploadResult()
    limit = int(max_mb * 1024 * 1024)
    seen: set[str] = set()
    for f in files:
        if f is None:
            continue
        src = Path(str(f))
        name = upload_name(src)
        suffix = Path(name).suffix.lower()
        if suffix not in allowed:
            kinds = " ".join(allowed)
            result.rejected.append(
                Rejected(name, f"不支持的文件类型“{suffix or '无扩展名'}”，只接受 {kinds}")
            )
            continue
        try:
            size = src.stat().st_size
        except OSError:
            result.rejected.append(Rejected(name, "上传未完成或文件已丢失，请重新上传"))
            continue
        if size > limit:
            result.rejected.append(Rejected(name, f"文件过大（{_mb(size)}），上限 {max_mb:g} MB"))
            continue
        if size == 0:
            result.rejected.append(Rejected(name, "文件是空的"))
            continue
        clean = safe_name(name)
        if clean in seen:
            result.rejected.append(Rejected(name, "同一批上传中有同名文件，已跳过这一份"))
            continue
        seen.add(clean)
        try:
            result.accepted.append(copy_into(src, dest_dir, root))
        except (OSError, ValueError) as e:
            result.rejected.append(
                Rejected(name, f"无法保存到数据目录（{type(e).__name__}），请检查磁盘空间和权限")
            )
    return result
