"""The model-process supervisor with a scripted engine (tests/fake_model_server.py): the real
runner_server routes, queue and cancel, the real supervisor, no llama.cpp. Fast."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from assistant import llm as llm_api
from assistant.llm import runner
from core.errors import BiganziError
from core.settings import get_settings

TESTS = Path(__file__).resolve().parent
PROMPT = [SystemMessage(content="你是助手。"), HumanMessage(content="一二三四五六七八九十")]


@pytest.fixture
def fake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    counters = tmp_path / "fake"
    counters.mkdir()
    monkeypatch.setenv("FAKE_MODEL_DIR", str(counters))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    for name in ("FAKE_CRASH_AT", "FAKE_HANG_AT", "FAKE_BUSY_S", "FAKE_DELAY", "FAKE_LOAD_FAIL"):
        monkeypatch.delenv(name, raising=False)
    return counters


def make_model(data_dir: Path, timeout: float = 20.0, model: str = "/fake/fake.gguf"):
    key = runner.RunnerKey(data_dir=str(data_dir), model=model, n_ctx=512, n_threads=1)
    sup = runner.Supervisor(key, server_module="fake_model_server")
    runner._SUPERVISORS[key.id] = sup  # a fresh supervisor per test
    settings = get_settings(data_dir=data_dir, llm_timeout=timeout, temperature=0.0)
    return runner.chat_for(sup, settings, Path(model).name), sup


@pytest.fixture
def model(fake_env: Path, isolated_data_dir: Path):
    chat, sup = make_model(isolated_data_dir)
    yield chat
    sup.close()


def text_of(chunks) -> str:
    return "".join(c.content for c in chunks)


def finish_of(chunks) -> str | None:
    return next(
        (c.response_metadata["finish_reason"] for c in chunks if c.response_metadata.get("finish_reason")),
        None,
    )


def test_streams_through_the_model_process(model, isolated_data_dir: Path) -> None:
    chunks = list(model.stream(PROMPT, max_tokens=50))
    assert text_of(chunks) == "收到：一二三四五六七八九十" and finish_of(chunks) == "stop"
    usage = next(c.usage_metadata for c in chunks if c.usage_metadata)
    assert usage["output_tokens"] == len("收到：一二三四五六七八九十")
    assert llm_api.count_tokens(model, "一二三") == 3 and llm_api.tokenize(model, "AB") == [65, 66]
    assert llm_api.supports_grammar(model) and llm_api.supports_prefill(model)
    assert llm_api.model_label(model) == "fake.gguf"
    info = json.loads((isolated_data_dir / "run" / "model.json").read_text())
    assert info["pid"] == model.supervisor.pid and info["pid"] != os.getpid()
    assert model.invoke(PROMPT, grammar='root ::= "约束"').content == "约束"  # extras reach the engine
    assert model.invoke(PROMPT, figure_lock=["截至2024年", "186家"]).content == "锁：2024年、186家"
    assert model.invoke(PROMPT, figure_lock=["186家"], no_latin=True).content == "锁：186家，无拉丁字母"


def test_crash_mid_stream_is_one_line_and_the_next_request_works(model, fake_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_CRASH_AT", "2")  # the child reads it at each request
    first = model.supervisor.ensure()["pid"]
    model.supervisor.close()  # restart so the child sees the variable
    assert text_of(model.stream(PROMPT)) == "收到：一二三四五六七八九十"  # request 1
    got: list[str] = []
    t = time.monotonic()
    with pytest.raises(BiganziError) as err:
        for c in model.stream(PROMPT):  # request 2: killed after 3 pieces
            got.append(c.content)
    assert str(err.value) == runner.CRASHED and time.monotonic() - t < 10
    assert "".join(got) == "收到："
    assert text_of(model.stream(PROMPT)) == "收到：一二三四五六七八九十"  # a new process, no hand restart
    assert model.supervisor.pid not in (first, None) and model.supervisor.restarts == 1


def test_a_hung_generation_times_out_and_the_process_restarts(
    fake_env, isolated_data_dir, monkeypatch
) -> None:
    monkeypatch.setenv("FAKE_HANG_AT", "1")
    chat, sup = make_model(isolated_data_dir, timeout=2.0)
    try:
        pid = sup.ensure()["pid"]
        t = time.monotonic()
        with pytest.raises(BiganziError, match=r"本地模型 2 秒没有输出，已中止这次生成并重启模型进程"):
            list(chat.stream(PROMPT))
        assert time.monotonic() - t < 10 and not runner.pid_alive(pid)
        monkeypatch.delenv("FAKE_HANG_AT")  # the restarted child counts on from 2 anyway
        assert text_of(chat.stream(PROMPT)) == "收到：一二三四五六七八九十"
    finally:
        sup.close()


def test_a_stopped_process_times_out_too(fake_env, isolated_data_dir) -> None:
    chat, sup = make_model(isolated_data_dir, timeout=2.0)
    try:
        pid = sup.ensure()["pid"]
        os.kill(pid, signal.SIGSTOP)
        with pytest.raises(BiganziError, match="秒没有输出"):
            list(chat.stream(PROMPT))
        assert not runner.pid_alive(pid)
        assert text_of(chat.stream(PROMPT)).startswith("收到")
    finally:
        sup.close()


def test_a_long_prompt_that_keeps_the_cpu_busy_is_not_a_hang(
    fake_env, isolated_data_dir, monkeypatch
) -> None:
    monkeypatch.setenv("FAKE_BUSY_S", "4")  # no token for 4 s, with a 2 s timeout: but working
    chat, sup = make_model(isolated_data_dir, timeout=2.0)
    try:
        assert text_of(chat.stream(PROMPT)) == "收到：一二三四五六七八九十"
    finally:
        sup.close()


def test_cancel_stops_the_running_generation_and_frees_the_model(model, fake_env, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_DELAY", "0.2")
    model.supervisor.close()
    long = [HumanMessage(content="长" * 200)]
    chunks: list = []
    worker = threading.Thread(target=lambda: chunks.extend(model.stream(long)))
    worker.start()
    while not chunks:
        time.sleep(0.05)
    t = time.monotonic()
    assert llm_api.cancel(model)
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - t < 3
    assert finish_of(chunks) == "cancelled" and len(text_of(chunks)) < 30
    assert text_of(model.stream(PROMPT, max_tokens=3)) == "收到："  # the model is free again


def test_closing_a_stream_stops_the_generation_in_the_child(model, fake_env, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_DELAY", "0.1")
    model.supervisor.close()
    stream = model.stream([HumanMessage(content="长" * 300)])
    for _ in range(3):
        next(stream)
    stream.close()
    time.sleep(1.0)
    produced = int((fake_env / "pieces").read_text())
    time.sleep(1.0)
    assert int((fake_env / "pieces").read_text()) == produced < 20  # nothing more is generated


def test_requests_wait_in_line_without_timing_out(fake_env, isolated_data_dir, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_DELAY", "0.1")
    chat, sup = make_model(isolated_data_dir, timeout=2.0)  # each reply takes ~1.5 s, the pair 3 s
    try:
        results: list[str] = []
        errors: list[BaseException] = []

        def work() -> None:
            try:
                results.append(chat.invoke(PROMPT).content)
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors and results == ["收到：一二三四五六七八九十"] * 3
    finally:
        sup.close()


def test_another_process_on_the_same_data_dir_uses_the_running_model(model, isolated_data_dir) -> None:
    pid = model.supervisor.ensure()["pid"]
    code = (
        "import sys; from pathlib import Path; from assistant.llm import runner\n"
        f"key = runner.RunnerKey(data_dir={str(isolated_data_dir)!r}, model='/fake/fake.gguf', n_ctx=512, n_threads=1)\n"
        "sup = runner.Supervisor(key, server_module='fake_model_server')\n"
        "print(sup.ensure()['pid'], sup.owned)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=os.environ
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(pid), "False"]  # adopted, not started


def test_a_different_model_runs_privately_and_a_stale_run_file_is_replaced(
    fake_env, isolated_data_dir
) -> None:
    run = isolated_data_dir / "run"
    run.mkdir(parents=True)
    (run / "model.json").write_text(json.dumps({"pid": 999999, "socket": str(run / "x.sock")}))
    _chat, sup = make_model(isolated_data_dir)
    other, other_sup = make_model(isolated_data_dir, model="/fake/other.gguf")
    try:
        pid = sup.ensure()["pid"]
        assert json.loads((run / "model.json").read_text())["pid"] == pid  # the stale file was replaced
        assert other_sup.ensure()["pid"] != pid
        assert json.loads((run / "model.json").read_text())["pid"] == pid  # the private one did not register
        assert text_of(other.stream(PROMPT)).startswith("收到")
    finally:
        other_sup.close()
        sup.close()


def test_the_process_ends_with_its_owner(fake_env, isolated_data_dir) -> None:
    code = (
        "from assistant.llm import runner\n"
        f"key = runner.RunnerKey(data_dir={str(isolated_data_dir)!r}, model='/fake/fake.gguf', n_ctx=512, n_threads=1)\n"
        "print(runner.Supervisor(key, server_module='fake_model_server').ensure()['pid'], flush=True)\n"
        "import os; os._exit(0)\n"  # no clean-up: as if killed
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=os.environ
    )
    pid = int(out.stdout.split()[0])
    deadline = time.monotonic() + 10
    while runner.pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not runner.pid_alive(pid)
    assert not (isolated_data_dir / "run" / "model.json").exists()


def test_a_model_that_will_not_load_is_one_line(fake_env, isolated_data_dir, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_LOAD_FAIL", "无法加载模型 /x/broken.gguf：坏文件")
    chat, _sup = make_model(isolated_data_dir)
    with pytest.raises(BiganziError) as err:
        chat.invoke(PROMPT)
    assert str(err.value) == "无法加载模型 /x/broken.gguf：坏文件"


def test_prompt_cache_keys_and_cap(tmp_path: Path) -> None:
    from assistant.llm.prompt_cache import PromptCache, common_prefix

    model = tmp_path / "m.gguf"
    model.write_bytes(b"x" * 10)
    cache = PromptCache.for_model(tmp_path / "pc", str(model), 2048, 1)
    assert cache.root.name == "m-10-ctx2048"  # model file and context size are part of the key
    assert cache.path_for([1, 2, 3]) != cache.path_for([1, 2, 4]) and cache.path_for(
        [1, 2]
    ) == cache.path_for([1, 2])
    cache.root.mkdir(parents=True)
    for i in range(4):  # 400 KB each, cap 1 MB: the two oldest go
        p = cache.root / f"{i}.state"
        p.write_bytes(b"\0" * 400_000)
        os.utime(p, (1000 + i, 1000 + i))
    cache._evict()
    assert sorted(p.name for p in cache.root.glob("*.state")) == ["2.state", "3.state"]
    assert common_prefix([1, 2, 3], [1, 2, 4, 5]) == 2 and common_prefix([], [1]) == 0


def test_a_model_process_that_cannot_score_says_so_and_stays_up(model) -> None:
    # the scripted engine has no llama.cpp context to score with: scoring is optional, so the
    # answer is "cannot score", not a failure, and the process is not restarted
    pid = model.supervisor.ensure()["pid"]
    assert llm_api.surprise(model, "今年以来，", "我局扎实推进工作。") is None
    assert model.supervisor.ensure()["pid"] == pid
    assert text_of(model.stream(PROMPT, max_tokens=50)) == "收到：一二三四五六七八九十"


def test_a_llama_with_no_room_for_a_scoring_context_scores_nothing_and_is_not_tried_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # in process (local-inproc) as in the model process: a context llama.cpp cannot make (no
    # memory for it) means no scores, never a failed rewrite
    from assistant.llm import scoring

    made: list[int] = []

    def no_context(self: object, llm: object, n_threads: int) -> None:
        made.append(n_threads)
        raise ValueError("Failed to create llama_context")

    monkeypatch.setattr(scoring.Scorer, "__init__", no_context)

    class Llama:  # (only what scoring keeps on it)
        pass

    llama = Llama()
    assert scoring.surprise_at(llama, 2, "今年以来，", "我局扎实推进工作。") == []
    assert scoring.surprise_at(llama, 2, "今年以来，", "我局扎实推进工作。") == []
    assert made == [2]  # tried once
