"""Ingest of real files: per-file errors, idempotence, replacement, duplicates, progress, interruption."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FAKE_SECTIONS, needs_seeds, seed_paths

from core.settings import get_settings
from index.ingest import IngestInterrupted, ingest_paths
from index.store import list_kbs, open_kb


def report_text(title: str, extra: str = "", numbers: tuple[str, str] = ("126", "238")) -> str:
    """A small report in the house layout (title, 一、 / （一） headings, bodies), our own wording."""
    lines = [title]
    top = None
    for path, body, _ in FAKE_SECTIONS:
        if path[0] != top:
            top = path[0]
            lines.append(top)
        lines.append(path[1])
        lines.append(body.replace("126", numbers[0]).replace("238", numbers[1]))
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "材料"
    (root / "2022").mkdir(parents=True)
    (root / "青禾县医保局2023年工作总结.txt").write_text(
        report_text("青禾县医保局2023年工作总结"), encoding="utf-8"
    )
    (root / "2022" / "青禾县医保局2022年工作总结.txt").write_text(
        report_text("青禾县医保局2022年工作总结", numbers=("88", "150")), encoding="gb18030"
    )
    (root / ".hidden.txt").write_text(report_text("隐藏文件"), encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text(report_text("也是隐藏的"), encoding="utf-8")
    return root


def test_folder_is_ingested_recursively_skipping_hidden(corpus: Path) -> None:
    s = get_settings()
    report = ingest_paths(s, [corpus])
    assert sorted(o.name for o in report.added) == [
        "青禾县医保局2022年工作总结.txt",
        "青禾县医保局2023年工作总结.txt",
    ]
    assert report.ok and report.chunks_embedded > 0 and report.chars > 0
    with open_kb(s) as kb:
        docs = {d.source: d for d in kb.documents()}
        d = docs["青禾县医保局2022年工作总结.txt"]
        assert (d.title, d.year, d.n_chunks) == ("青禾县医保局2022年工作总结", 2022, 5)
        assert d.path == str((corpus / "2022" / d.source).resolve())
        chunks = list(kb.iter_chunks(d))
        assert [c.position for c in chunks] == [0, 1, 2, 3, 4]
        assert chunks[1].heading_path == ["一、2023年工作成效", "（二）严守基金安全线，打击欺诈骗保"]
        assert chunks[3].section_kind == "问题"
        assert "监管" in chunks[1].tokens
        v = kb.verify()
        assert v["chunks"] == v["vectors"] == 10 and not v["missing_vectors"] and not v["orphan_vectors"]


def test_bad_files_are_reported_one_line_each_and_others_go_on(corpus: Path, tmp_path: Path) -> None:
    (corpus / "表格.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    (corpus / "空.txt").write_bytes(b"")
    (corpus / "坏.docx").write_bytes(b"PK\x03\x04 broken zip")
    big = tmp_path / "大.txt"
    big.write_text("很长的材料。" * 200_000, encoding="utf-8")
    s = get_settings(max_file_mb=1)
    report = ingest_paths(s, [corpus, big, tmp_path / "不存在.txt"])
    assert len(report.added) == 2 and not report.ok
    errors = {Path(o.path).name: o.message for o in report.errors}
    assert set(errors) == {"表格.xls", "空.txt", "坏.docx", "大.txt", "不存在.txt"}
    for name, message in errors.items():
        assert name in message and "\n" not in message and "Traceback" not in message


def test_reingest_changes_nothing(corpus: Path) -> None:
    s = get_settings()
    ingest_paths(s, [corpus])
    with open_kb(s) as kb:
        generation = kb.generation
    again = ingest_paths(s, [corpus])
    assert len(again.unchanged) == 2 and not again.added and again.chunks_embedded == 0
    with open_kb(s) as kb:
        assert kb.generation == generation


def test_same_content_elsewhere_is_a_duplicate(corpus: Path, tmp_path: Path) -> None:
    s = get_settings()
    ingest_paths(s, [corpus])
    copy = tmp_path / "副本.txt"
    copy.write_bytes((corpus / "青禾县医保局2023年工作总结.txt").read_bytes())
    report = ingest_paths(s, [copy])
    assert [o.status for o in report.outcomes] == ["duplicate"]
    assert report.outcomes[0].duplicate_source == "青禾县医保局2023年工作总结.txt"
    with open_kb(s) as kb:
        assert len(kb.documents()) == 2


def test_two_identical_files_in_one_run(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(report_text("青禾县医保局2023年工作总结"), encoding="utf-8")
    report = ingest_paths(get_settings(), [tmp_path / "a.txt", tmp_path / "b.txt"])
    assert [o.status for o in report.outcomes] == ["added", "duplicate"]


def test_changed_file_replaces_its_old_chunks(corpus: Path) -> None:
    s = get_settings()
    ingest_paths(s, [corpus])
    f = corpus / "青禾县医保局2023年工作总结.txt"
    with open_kb(s) as kb:
        old = kb.find_document(f.name)
    f.write_text(
        report_text("青禾县医保局2023年工作总结", extra="四、其他\n新增一段关于长期护理保险试点的内容。"),
        encoding="utf-8",
    )
    report = ingest_paths(s, [corpus])
    assert [o.name for o in report.replaced] == [f.name] and len(report.unchanged) == 1
    with open_kb(s) as kb:
        new = kb.find_document(f.name)
        assert new.doc_id != old.doc_id and new.n_chunks == 6
        assert kb.registry.document(old.doc_id) is None and not list(kb.iter_chunks(old.doc_id))
        v = kb.verify()
        assert v["chunks"] == v["vectors"] == 11 and not v["orphan_vectors"]


def test_progress_reports_every_file(corpus: Path) -> None:
    (corpus / "坏.pdf").write_bytes(b"%PDF-1.4 broken")
    seen: list[tuple[int, int]] = []
    ingest_paths(get_settings(), [corpus], progress=lambda done, total, path: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_nothing_importable_leaves_no_empty_kb(tmp_path: Path) -> None:
    (tmp_path / "x.xls").write_bytes(b"nope")
    report = ingest_paths(get_settings(), [tmp_path], kb="空库")
    assert report.errors and list_kbs(get_settings()) == []


def test_ctrl_c_keeps_whole_documents(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for i in range(30):  # several embedding batches
        (src / f"{i}.txt").write_text(
            report_text(f"第{i}局2023年工作总结", numbers=(str(i), str(i + 7))), "utf-8"
        )
    s = get_settings()

    def interrupt(done: int, total: int, path: str) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(IngestInterrupted) as e:
        ingest_paths(s, [src], progress=interrupt)
    assert e.value.report.interrupted
    with open_kb(s) as kb:
        docs = kb.documents()
        assert 1 <= len(docs) < 30 and len(e.value.report.added) == len(docs)
        for d in docs:
            assert len(list(kb.iter_chunks(d))) == d.n_chunks == 5
    # running again completes the rest
    report = ingest_paths(s, [src])
    assert len(report.unchanged) == len(docs) and len(report.added) == 30 - len(docs)
    with open_kb(s) as kb:
        v = kb.verify()
        assert v["chunks"] == v["vectors"] == 150 and not v["orphan_vectors"]


@needs_seeds
def test_seed_near_duplicates_are_recorded() -> None:
    s = get_settings()
    report = ingest_paths(s, seed_paths())
    assert report.ok and len(report.added) == len(seed_paths())
    near = {o.name: o.duplicate_source for o in report.near_duplicates}
    assert [n[:3] for n in near] == ["001"] and next(iter(near.values())).startswith("000")
    with open_kb(s) as kb:
        docs = {d.source[:3]: d for d in kb.documents()}
        assert docs["001"].duplicate_of == docs["000"].doc_id
        assert all(docs[k].duplicate_of is None for k in ("000", "002", "003", "004"))
        groups: dict[str, set[str]] = {}
        for c in kb.iter_chunks():
            groups.setdefault(c.dup_group, set()).add(c.source[:3])
        shared = [g for g in groups.values() if g == {"000", "001"}]
        assert len(shared) >= 15  # nearly every passage of 001 is grouped with its 000 twin
        assert all(g <= {"000", "001"} or len(g) == 1 for g in groups.values())


def test_own_data_dir_inside_the_folder_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "材料.txt").write_text(report_text("青禾县医保局2023年工作总结"), "utf-8")
    s = get_settings(data_dir=tmp_path / "data")
    ingest_paths(s, [tmp_path])
    report = ingest_paths(s, [tmp_path])  # data/ now holds the registry and Chroma files
    assert report.ok and [o.status for o in report.outcomes] == ["unchanged"]
