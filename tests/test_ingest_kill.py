"""A real ingest killed midway: kill -9 leaves whole documents only; Ctrl-C stops with a clean message."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_ingest import report_text

from core.settings import get_settings
from index.ingest import ingest_paths
from index.retrieve import search
from index.store import open_kb

N_FILES = 30


def _corpus(root: Path) -> Path:
    root.mkdir()
    for i in range(N_FILES):
        text = report_text(f"第{i}县医保局2023年工作总结", numbers=(str(100 + i), str(300 + i)))
        (root / f"{i:02d}.txt").write_text(text, "utf-8")
    return root


def _start(tmp_path: Path, src: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BIGANZI_DATA_DIR": str(tmp_path / "data"),
        "BIGANZI_EMBEDDER": "fake",
        "BIGANZI_FAKE_EMBED_DELAY": "0.01",  # about 0.6 s per batch: a kill lands mid-ingest
    }
    code = "from assistant.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "ingest", str(src), "--kb", "kill"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Ctrl-C as a terminal sends it: a test run started in the background (make test &) hands its
        # children an ignored SIGINT, and Python then never raises KeyboardInterrupt
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_documents(tmp_path: Path, proc: subprocess.Popen[bytes], at_least: int) -> int:
    reg = tmp_path / "data" / "kb" / "kill" / "registry.sqlite3"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if reg.exists():
            try:
                with sqlite3.connect(reg, timeout=1) as db:
                    n = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                n = 0
            if n >= at_least:
                return n
        time.sleep(0.05)
    pytest.fail(f"ingest finished or stalled before {at_least} documents: {proc.communicate()}")


def _assert_whole_documents(settings) -> int:
    with open_kb(settings, "kill") as kb:
        docs = kb.documents()
        committed = {c.id: c.doc_id for c in kb.iter_chunks()}
        in_chroma = set(kb.collection().get(include=[])["ids"])
        for d in docs:
            ids = [cid for cid, doc in committed.items() if doc == d.doc_id]
            assert len(ids) == d.n_chunks == 5, d.source
            assert set(ids) <= in_chroma, f"{d.source}: committed chunks without vectors"
        return len(docs)


def test_kill_9_leaves_whole_documents_only(tmp_path: Path) -> None:
    src = _corpus(tmp_path / "src")
    proc = _start(tmp_path, src)
    _wait_for_documents(tmp_path, proc, 1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    s = get_settings(data_dir=tmp_path / "data")
    n = _assert_whole_documents(s)
    with open_kb(s, "kill") as kb:
        print(f"after kill -9: {n} documents, orphan vectors {len(kb.verify()['orphan_vectors'])}")
    assert 1 <= n < N_FILES
    hits = search(s, "异地就医 垫资", kb="kill", k=3)
    assert hits and hits[0].section.endswith("异地就医结算还不够便捷")

    # the next ingest sweeps orphan vectors and completes the rest
    report = ingest_paths(s, [src], kb="kill")
    assert len(report.unchanged) == n and len(report.added) == N_FILES - n
    with open_kb(s, "kill") as kb:
        v = kb.verify()
        assert v["documents"] == N_FILES and v["chunks"] == v["vectors"] == 5 * N_FILES
        assert not v["orphan_vectors"] and not v["missing_vectors"]


def test_ctrl_c_gives_a_clean_message(tmp_path: Path) -> None:
    src = _corpus(tmp_path / "src")
    proc = _start(tmp_path, src)
    _wait_for_documents(tmp_path, proc, 1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert proc.returncode == 130, text
    assert "已中断" in text and "Traceback" not in text and "KeyboardInterrupt" not in text
    n = _assert_whole_documents(get_settings(data_dir=tmp_path / "data"))
    assert f"已完整导入 {n} 篇" in text
