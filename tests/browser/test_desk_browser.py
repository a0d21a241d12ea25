"""The writing desk in a real browser (headless Chromium) against a real `biganzi serve` on loopback,
with the fake chat model and embedder: knowledge base upload, figures, streamed drafts with sources
and the number legend, rewrite with diff, .docx download, separate sessions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.harness import (
    Server,
    copy_examples,
    desk_page,
    ingest_examples,
    needs_chromium,
    open_page,
    running_server,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.server, needs_chromium, pytest.mark.timeout(300)]

FIGURES = (
    "截至2024年11月，检查定点医药机构186家，追回医保基金452.3万元。\n"
    "指标\t2023年\t2024年\n"
    "参保率\t99.85%\t99.91%\n"
    "这一行没有任何数据\n"
)
REQUEST = "参照往年写法，起草今年“综合施策护基金”一段，约200字。"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module, with the demo reports ingested into its default knowledge base."""
    with running_server(tmp_path_factory.mktemp("desk-data")) as srv:
        ingest_examples(srv, tmp_path_factory.mktemp("examples"))
        yield srv


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    with desk_page(browser, server) as p:
        yield p


def bot_messages(page: Any) -> list[str]:
    return page.locator('#chat [data-testid="bot"]').all_inner_texts()


def wait_idle(page: Any) -> None:
    """Until no event of the page is pending (Gradio marks busy outputs with a progress tracker)."""
    page.wait_for_function(
        "() => !document.querySelector('.progress-text, .eta-bar, .meta-text-center')"
        " && !document.querySelector('[data-testid=\"status-tracker\"] .progress-text')",
        timeout=30_000,
    )


def confirm_figures(page: Any, text: str = FIGURES) -> None:
    page.fill("#figures-paste textarea", text)
    page.click("#figures-parse")
    page.wait_for_function("() => document.querySelector('#figures-table').innerText.includes('452.3万元')")
    page.click("#figures-confirm")
    page.wait_for_function("() => document.querySelector('#figures-status').innerText.includes('已确认')")


def send(page: Any, text: str) -> None:
    n = len(bot_messages(page))
    page.fill("#chat-input textarea", text)
    page.click("#send")
    page.wait_for_function(f"() => document.querySelectorAll('#chat [data-testid=\"bot\"]').length > {n}")


def watch_last_bot(page: Any) -> None:
    """Record every text the last assistant bubble shows, to prove the reply streams."""
    page.evaluate(
        """() => {
        window.__snaps = [];
        const root = document.querySelector('#chat');
        const obs = new MutationObserver(() => {
          const bots = root.querySelectorAll('[data-testid="bot"]');
          if (bots.length) window.__snaps.push(bots[bots.length - 1].innerText);
        });
        obs.observe(root, {subtree: true, childList: true, characterData: true});
      }"""
    )


def draft_once(page: Any) -> str:
    confirm_figures(page)
    watch_last_bot(page)
    send(page, REQUEST)
    page.wait_for_selector('#chat [data-testid="bot"] .bgz-legend')
    return bot_messages(page)[-1]


def test_page_is_chinese_and_offline(page: Any, server: Server) -> None:
    assert page.title() == "笔杆子 · 写作台"
    for tab in ("写作台", "知识库", "设置"):
        assert page.get_by_role("tab", name=tab).is_visible()
    for mode in ("起草段落", "改写", "套改（用新数据更新旧段落）", "自由对话"):
        assert page.get_by_label(mode).count() == 1
    page.wait_for_function("() => document.querySelector('#desk-kb').innerText.includes('default')")
    assert "只在本机 127.0.0.1 上提供服务" in server.output()  # no login: loopback only, and it says so
    # open_page asserts on exit that every request went to the loopback server


def test_knowledge_base_upload_list_and_delete(page: Any, server: Server, tmp_path: Path) -> None:
    page.get_by_role("tab", name="知识库").click()
    page.locator("#kb-new-name").get_by_role("textbox").fill("测试库")
    page.click("#kb-create")
    page.wait_for_function("() => document.body.innerText.includes('已新建并切换到知识库 测试库')")

    docs = copy_examples(tmp_path / "up")
    bad = tmp_path / "up" / "安装程序.exe"
    bad.write_bytes(b"MZ")
    broken = tmp_path / "up" / "坏文件.docx"
    broken.write_bytes(b"this is not a word file")
    page.locator("#kb-upload input[type=file]").set_input_files([str(p) for p in [*docs[:2], bad, broken]])
    page.wait_for_function(
        "() => document.querySelector('#kb-ingest-result').innerText.includes('新增 2 篇')"
    )
    result = page.inner_text("#kb-ingest-result")
    assert "安装程序.exe" in result and "不支持的文件类型" in result
    assert "坏文件.docx：" in result and "Traceback" not in result  # the loader's own plain words
    table = page.inner_text("#kb-docs")
    for d in docs[:2]:
        assert d.name in table
    assert "2022" in table and "工作总结" in table
    # uploads were copied into the data dir under their own names; the unreadable one is not kept
    assert sorted(p.name for p in (server.data_dir / "uploads" / "测试库").iterdir()) == sorted(
        d.name for d in docs[:2]
    )
    # Gradio's own upload cache is inside the data dir too (nothing lands outside it)
    assert any((server.data_dir / "tmp" / "gradio").rglob("安装程序.exe"))
    screenshot(page, "ui_kb")

    # delete one document
    page.locator("#kb-docs").scroll_into_view_if_needed()
    page.locator("#kb-doc-pick").get_by_role("combobox").click()
    page.get_by_role("option", name=docs[0].name, exact=False).first.click()
    page.click("#kb-remove-doc")
    page.wait_for_function(f"() => !document.querySelector('#kb-docs').innerText.includes('{docs[0].name}')")
    assert docs[1].name in page.inner_text("#kb-docs")
    uploaded = server.data_dir / "uploads" / "测试库"
    assert sorted(p.name for p in uploaded.iterdir()) == [docs[1].name]  # its upload copy went with it

    # delete the whole knowledge base (two steps), back to the server's default
    page.get_by_text("删除整个知识库").click()
    page.click("#kb-delete")
    page.click("#kb-confirm-delete")
    page.wait_for_function(
        "() => document.querySelector('#kb-message').innerText.includes('已删除知识库 测试库')"
    )
    assert not (server.data_dir / "kb" / "测试库").exists() and not uploaded.exists()
    assert page.locator("#kb-select input").input_value() == "default"


def test_figures_table_and_computed_changes(page: Any) -> None:
    confirm_figures(page)
    table = page.inner_text("#figures-table")
    assert "追回医保基金" in table and "452.3万元" in table and "截至2024年11月" in table
    assert "这一行没有任何数据" in page.inner_text("#figures-unparsed")
    assert "0.06个百分点" in page.inner_text("#figures-derived")
    assert "已确认 4 项数据" in page.inner_text("#figures-status")


def test_draft_streams_with_sources_and_number_legend(page: Any) -> None:
    reply = draft_once(page)
    snaps = [s for s in page.evaluate("window.__snaps") if s and s != "…"]
    assert len(set(snaps)) >= 3, f"reply did not stream: {snaps[:5]}"
    assert "452.3万元" in reply and "186家" in reply
    bubble = page.locator('#chat [data-testid="bot"]').last
    assert bubble.locator(".bgz-user", has_text="452.3万元").count() >= 1
    legend = bubble.locator(".bgz-legend").inner_text()
    for label in ("您给的数据", "程序计算", "往年旧数", "无来源数字", "待补充"):
        assert label in legend
    page.get_by_text("参考的往年段落").click()
    sources = page.locator('[data-testid="sources"] details')
    sources.first.wait_for()
    sources.first.locator("summary").click()
    assert "青禾县医疗保障局" in page.inner_text('[data-testid="sources"]')
    assert "452.3万元" in page.input_value("#draft textarea")
    screenshot(page, "ui_desk")


def test_follow_up_refines_and_regenerate(page: Any) -> None:
    draft_once(page)
    first = page.input_value("#draft textarea")
    send(page, "再精炼一些")
    page.wait_for_function(
        "() => { const b = document.querySelectorAll('#chat [data-testid=\"bot\"]');"
        " return b.length >= 2 && b[b.length-1].querySelector('.bgz-legend'); }"
    )
    refined = page.input_value("#draft textarea")
    assert refined and refined != first and "452.3万元" in refined
    page.click("#regenerate")
    page.wait_for_function(
        "() => { const b = document.querySelectorAll('#chat [data-testid=\"bot\"]');"
        " return b.length === 2 && b[1].querySelector('.bgz-legend'); }"
    )
    assert len(page.locator('#chat [data-testid="user"]').all()) == 2
    page.click("#continue")
    page.wait_for_function(
        "() => { const b = document.querySelectorAll('#chat [data-testid=\"bot\"]');"
        " return b.length === 3 && b[2].querySelector('.bgz-legend'); }"
    )
    assert page.locator('#chat [data-testid="user"]').last.inner_text() == "继续"
    assert "452.3万元" in page.input_value("#draft textarea")


def test_rewrite_shows_diff_then_accept_and_reject(page: Any) -> None:
    draft_once(page)
    before = page.input_value("#draft textarea")
    page.get_by_label("改写").check()
    send(page, "更简洁一些")  # no 原文: the current draft is rewritten
    page.wait_for_selector('#proposal [data-testid="diff"]')
    assert page.locator('#proposal [data-testid="diff"] del').count() >= 1
    page.click("#reject")
    page.wait_for_selector("#proposal", state="hidden")
    assert page.input_value("#draft textarea") == before

    # a pasted 原文 is rewritten instead; the diff shows deletions and insertions
    page.fill(
        "#source-text textarea", "我局进一步压实责任，积极推进改革。参保率达到99.91％。其他工作有序开展。"
    )
    send(page, "更简洁一些")
    diff = page.locator('#proposal [data-testid="diff"]')
    diff.wait_for()
    assert "99.91％" in diff.inner_text()
    assert diff.locator("del").count() >= 1 and diff.locator("ins").count() >= 1
    assert "持续" in "".join(diff.locator("ins").all_inner_texts())
    screenshot(page, "ui_rewrite")
    page.click("#accept")
    page.wait_for_selector("#proposal", state="hidden")
    after = page.input_value("#draft textarea")
    assert after != before and "99.91％" in after and "持续" in after


def test_download_docx_opens_with_python_docx(page: Any, tmp_path: Path) -> None:
    text = "青禾县医疗保障局2024年工作总结\n一、工作成效\n追回医保基金452.3万元，参保率99.91％。"
    page.fill("#draft textarea", text)
    page.click("#export")
    link = page.locator('#downloads a[download$=".docx"]')
    link.wait_for()
    with page.expect_download() as dl:
        link.click()
    out = tmp_path / "draft.docx"
    dl.value.save_as(out)
    from docx import Document

    paragraphs = [p.text for p in Document(str(out)).paragraphs if p.text.strip()]
    assert any("追回医保基金452.3万元" in p for p in paragraphs)
    assert any("一、工作成效" in p for p in paragraphs)
    md = page.locator('#downloads a[download$=".md"]')
    with page.expect_download() as dl2:
        md.click()
    assert "452.3万元" in Path(dl2.value.path()).read_text(encoding="utf-8")


def test_two_browsers_never_share_a_session(browser: Any, server: Server) -> None:
    with open_page(browser, server.url) as a, open_page(browser, server.url) as b:
        for p in (a, b):
            p.goto(server.url)
            p.wait_for_selector("#chat-input textarea")
        draft_once(a)
        b.reload()
        b.wait_for_selector("#chat-input textarea")
        assert bot_messages(b) == []
        assert b.input_value("#draft textarea") == ""
        assert "尚未确认" in b.inner_text("#figures-status")
        # b drafts with its own figures; a's draft is untouched
        confirm_figures(b, "截至2024年11月，检查定点医药机构201家，追回医保基金452.3万元。")
        send(b, REQUEST)
        b.wait_for_selector('#chat [data-testid="bot"] .bgz-legend')
        assert "201家" in b.input_value("#draft textarea")
        assert "201家" not in a.input_value("#draft textarea")
        assert "186家" in a.input_value("#draft textarea")


def test_backend_override_is_per_session(browser: Any, server: Server) -> None:
    """One browser points its session at an unreachable endpoint: it gets one clear line; another
    browser's session still drafts with the server's backend."""
    with open_page(browser, server.url) as a, open_page(browser, server.url) as b:
        for p in (a, b):
            p.goto(server.url)
            p.wait_for_selector("#chat-input textarea")
        a.get_by_role("tab", name="设置").click()
        a.get_by_label("OpenAI 兼容接口（DeepSeek、通义、vLLM、Ollama…）").check()
        a.fill("#openai-base-url textarea, #openai-base-url input", "http://127.0.0.1:9/v1")
        a.fill("#openai-model textarea, #openai-model input", "qwen")
        a.click("#settings-test")
        a.wait_for_function("() => document.querySelector('#settings-status').innerText.includes('无法连接')")
        status = a.inner_text("#settings-status")
        assert "127.0.0.1:9" in status and "Traceback" not in status
        a.get_by_role("tab", name="写作台").click()
        send(a, REQUEST)
        a.wait_for_function("() => document.querySelector('#chat').innerText.includes('无法连接')")
        draft_once(b)  # the other session is untouched: fake backend, drafted fine
        assert "452.3万元" in b.input_value("#draft textarea")


def test_settings_tab_shows_server_info_and_tests_connection(page: Any, server: Server) -> None:
    page.get_by_role("tab", name="设置").click()
    info = page.inner_text("#server-info")
    assert str(server.data_dir) in info and "fake" in info
    page.click("#settings-test")
    page.wait_for_function("() => document.querySelector('#settings-status').innerText.includes('连接成功')")
    screenshot(page, "ui_settings")


def test_update_mode_replaces_old_figures(page: Any) -> None:
    confirm_figures(page, "截至2024年11月，参保率99.91％，追回医保基金452.3万元。")
    page.get_by_label("套改（用新数据更新旧段落）").check()
    page.fill(
        "#source-text textarea",
        "截至2023年9月底，全县参保率99.85％，追回医保基金309.82万元，检查定点医药机构150家。",
    )
    page.click("#send")  # no message needed: the 原文 and the confirmed figures say it all
    diff = page.locator('#proposal [data-testid="diff"]')
    diff.wait_for()
    deleted = "".join(diff.locator("del").all_inner_texts())
    inserted = "".join(diff.locator("ins").all_inner_texts())
    assert "309.82" in deleted and "452.3" in inserted and "99.91" in inserted
    bubble = page.locator('#chat [data-testid="bot"]').last
    assert bubble.locator(".bgz-placeholder", has_text="【待更新：150家】").count() == 1
    assert "150家" in page.inner_text("#reply-details")
    page.click("#accept")
    page.wait_for_selector("#proposal", state="hidden")
    assert page.input_value("#draft textarea").startswith("截至2024年11月，全县参保率99.91％")


def test_proofread_findings_and_fixes(page: Any) -> None:
    page.fill("#draft textarea", "一、工作成效\n学习贯彻二十大精神，参保率提高2.6%。\n三、下一步打算\n")
    page.click("#check")
    findings = page.locator('#findings [data-testid="findings"]')
    findings.wait_for()
    text = findings.inner_text()
    assert "党的二十大" in text and "个百分点" in text and "二、" in text
    page.click("#fix")
    page.wait_for_selector('#proposal [data-testid="diff"]')
    page.click("#accept")
    page.wait_for_selector("#proposal", state="hidden")
    fixed = page.input_value("#draft textarea")
    assert "学习贯彻党的二十大精神" in fixed and "提高2.6个百分点" in fixed and "二、下一步打算" in fixed
