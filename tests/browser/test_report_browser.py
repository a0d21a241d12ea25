"""The 整篇报告 area in a real browser (headless Chromium) against a real `biganzi serve` on loopback,
fake chat model and embedder: choose last year's report, plan, edit the outline (rename, delete,
insert, reorder), generate with a progress bar and sections streaming in, regenerate one section,
download .docx and .md."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.harness import (
    Server,
    desk_page,
    ingest_examples,
    needs_chromium,
    running_server,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.server, needs_chromium, pytest.mark.timeout(300)]

TITLE = "青禾县医疗保障局2024年工作总结和2025年工作思路"
FIGURES = "参保人数：31.8万人\n追回医保基金：276万元"
LIKE = "2023年工作总结和2024年工作思路"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("report-data")) as srv:
        ingest_examples(srv, tmp_path_factory.mktemp("examples"))
        yield srv


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    with desk_page(browser, server) as p:
        p.get_by_role("tab", name="整篇报告").click()
        p.wait_for_selector("#report-title")
        yield p


def preview(page: Any) -> str:
    return page.inner_text("#report-preview")


def row_tool(page: Any, button: str, row: int, heading: str = "", *, shows: str = "", gone: str = "") -> None:
    """Use a row tool and wait until the outline preview shows `shows` (or no longer shows `gone`)."""
    page.locator("#report-row input").fill(str(row))
    page.locator("#report-row-heading").get_by_role("textbox").fill(heading)
    page.click(button)
    page.wait_for_function(
        "([shows, gone]) => { const t = document.querySelector('#report-preview').innerText;"
        " return (!shows || t.includes(shows)) && (!gone || !t.includes(gone)); }",
        arg=[shows, gone],
    )


def watch_progress(page: Any) -> None:
    page.evaluate(
        """() => {
        window.__progress = []; window.__texts = [];
        const obs = new MutationObserver(() => {
          const p = document.querySelector('#report-progress-text');
          if (p) window.__progress.push(p.innerText);
          const t = document.querySelector('#report-text textarea');
          if (t) window.__texts.push(t.value);
        });
        obs.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
      }"""
    )


def wait_finished(page: Any) -> None:
    """Until this run (started after watch_progress) says all sections are finished."""
    page.wait_for_function(
        "() => { const p = window.__progress || []; const i = p.findIndex(t => t.includes('准备生成'));"
        " return i >= 0 && p.slice(i).some(t => t.includes('已完成')); }",
        timeout=300_000,  # seconds on a quiet machine; minutes when other jobs share the 2 cores
    )


def test_plan_edit_generate_redo_download(page: Any, server: Server, tmp_path: Path) -> None:
    page.locator("#report-title").get_by_role("textbox").fill(TITLE)
    page.locator("#report-figures").get_by_role("textbox").fill(FIGURES)
    page.locator("#report-like input").click()
    page.get_by_role("option", name=LIKE, exact=False).first.click()
    page.click("#report-plan")
    page.wait_for_function("() => document.querySelector('#report-status').innerText.includes('大纲已列出')")
    shown = preview(page)
    assert "一、2024年" in shown and "2025年" in shown  # last year's tree, a year on
    table = page.inner_text("#report-outline")
    assert "31.8万人" in table  # figures assigned to a section, editable in the table

    row_tool(page, "#report-rename", 2, "改过名字的第一节", shows="（一）改过名字的第一节")
    row_tool(page, "#report-insert", 2, "新加的一节", shows="（二）新加的一节")  # numbered by code
    row_tool(page, "#report-up", 3, shows="（一）新加的一节")  # reorder
    assert preview(page).index("（一）新加的一节") < preview(page).index("（二）改过名字的第一节")
    row_tool(page, "#report-delete", 2, gone="新加的一节")
    assert "（一）改过名字的第一节" in preview(page)
    screenshot(page, "ui_report_outline")

    watch_progress(page)
    page.click("#report-generate")
    wait_finished(page)
    progress = page.evaluate("() => window.__progress")
    texts = page.evaluate("() => window.__texts")
    assert any("第 2/" in p for p in progress), progress[:5]  # section i of N shown while writing
    assert len({t for t in texts if t}) >= 3  # the report grew section by section
    text = page.input_value("#report-text textarea")
    assert text.startswith(TITLE) and "（一）改过名字的第一节" in text and "31.8万人" in text
    screenshot(page, "ui_report")

    link = page.locator('#report-files a[download$=".docx"]')
    link.wait_for()
    assert page.locator('#report-files a[download$=".md"]').count() == 1
    with page.expect_download() as dl:
        link.click()
    saved = tmp_path / "r.docx"
    dl.value.save_as(saved)
    import docx

    paragraphs = [p.text for p in docx.Document(str(saved)).paragraphs]
    assert TITLE in paragraphs and "（一）改过名字的第一节" in paragraphs

    # regenerate section 2 only: the other sections are read back from the store
    reports = list((server.data_dir / "reports").iterdir())
    assert len(reports) == 1
    stored = {p.name: p.stat().st_mtime_ns for p in (reports[0] / "sections").glob("*.json")}
    watch_progress(page)
    page.locator("#report-section-no input").fill("2")
    page.click("#report-redo")
    wait_finished(page)
    after = {p.name: p.stat().st_mtime_ns for p in (reports[0] / "sections").glob("*.json")}
    assert set(after) == set(stored)
    assert len([k for k in after if after[k] != stored[k]]) == 1  # only section 2 was written again
