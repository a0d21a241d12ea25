"""Upload safety: types, size, names, and nothing written outside the data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.uploads import FIGURE_SUFFIXES, KB_SUFFIXES, accept_uploads, copy_into, safe_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("青禾县医保局2023年工作总结.docx", "青禾县医保局2023年工作总结.docx"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("  .hidden.txt", "hidden.txt"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("报告<script>.md", "报告_script.md"),
        ("CON.txt", "_CON.txt"),
        ("REPORT.TXT", "REPORT.txt"),
        ("...", "文件"),
        ("总结（定稿）【2023】.pdf", "总结（定稿）【2023】.pdf"),
    ],
)
def test_safe_name(raw: str, expected: str) -> None:
    assert safe_name(raw) == expected


def test_safe_name_is_bounded() -> None:
    name = safe_name("长" * 500 + ".docx")
    assert name.endswith(".docx")
    assert len(name) <= 120


def _file(folder: Path, name: str, data: bytes) -> Path:
    # Gradio keeps the user's file name as the last part of its upload copy
    sub = folder / "gradio" / str(abs(hash(name)))
    sub.mkdir(parents=True, exist_ok=True)
    p = sub / name
    p.write_bytes(data)
    return p


def test_bad_files_get_a_message_and_the_rest_proceed(tmp_path: Path) -> None:
    root = tmp_path / "data"
    dest = root / "uploads" / "default"
    good = _file(tmp_path, "2023年工作总结.txt", "一、工作成效\n".encode())
    exe = _file(tmp_path, "setup.exe", b"MZ")
    big = _file(tmp_path, "大文件.pdf", b"x" * 3000)
    empty = _file(tmp_path, "空.md", b"")
    res = accept_uploads([good, exe, big, empty, None], dest, root, KB_SUFFIXES, max_mb=0.002)
    assert [p.name for p in res.accepted] == ["2023年工作总结.txt"]
    assert res.accepted[0].read_text(encoding="utf-8") == "一、工作成效\n"
    msgs = res.messages()
    assert any(m.startswith("setup.exe：") and "不支持的文件类型" in m for m in msgs)
    assert any(m.startswith("大文件.pdf：") and "文件过大" in m and "0.002 MB" in m for m in msgs)
    assert any(m.startswith("空.md：") and "空" in m for m in msgs)
    assert len(msgs) == 3


def test_figure_uploads_accept_only_tables(tmp_path: Path) -> None:
    root = tmp_path / "data"
    csv = _file(tmp_path, "数据.csv", "指标,数值\n参保率,99.91%\n".encode())
    docx = _file(tmp_path, "报告.docx", b"PK")
    res = accept_uploads([csv, docx], root / "uploads" / "figures", root, FIGURE_SUFFIXES, 1)
    assert [p.name for p in res.accepted] == ["数据.csv"]
    assert "报告.docx" in res.messages()[0]


def test_copies_stay_inside_the_data_dir(tmp_path: Path) -> None:
    root = tmp_path / "data"
    src = _file(tmp_path, "../../evil.txt".replace("/", "_"), b"x")
    out = copy_into(src, root / "uploads" / "kb", root)
    assert out.resolve().is_relative_to(root.resolve())
    with pytest.raises(ValueError):
        copy_into(src, tmp_path / "elsewhere", root)
    # a symlinked target folder that points outside is refused too
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "uploads" / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError):
        copy_into(src, root / "uploads" / "link", root)
    assert not any(outside.iterdir())


def test_duplicate_names_in_one_batch(tmp_path: Path) -> None:
    root = tmp_path / "data"
    a = _file(tmp_path / "a", "总结.txt", "甲".encode())
    b = _file(tmp_path / "b", "总结.txt", "乙".encode())
    res = accept_uploads([a, b], root / "u", root, KB_SUFFIXES, 1)
    assert len(res.accepted) == 1
    assert "同名" in res.messages()[0]
    assert not [p for p in (root / "u").iterdir() if p.name.startswith(".upload-")]
