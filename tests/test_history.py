"""assistant.history: metric timelines mined from the knowledge base's past reports."""

from __future__ import annotations

from decimal import Decimal

from assistant.figures import parse_figures
from assistant.history import changes_against_history, history_from_chunks, metric_history
from core.settings import get_settings
from tests.conftest import make_chunk, needs_seeds, seed_paths


def _chunks():
    return [
        make_chunk(
            "截至9月底，共处理两定单位17家，共追回医保基金286.4万元，处罚款95.6万元。",
            ["一、2023年工作开展情况", "（四）基金监管更加严密"],
            source="青禾县2023年工作总结.txt",
            year=2023,
        ),
        make_chunk(
            "截至11月，共处理两定单位19家，共追回XX基金331.2万元。",
            ["二、画好改革路线图", "（三）综合施策护基金"],
            source="青禾县2023年党建工作总结.txt",
            year=2023,
        ),
        make_chunk(
            "截至2022年底，追回医保基金210万元。", ["一、成效"], source="青禾县2022年工作总结.txt", year=2022
        ),
    ]


def test_rows_for_one_metric_ordered_by_time_with_xx_masks() -> None:
    rows = history_from_chunks(_chunks(), metric="追回医保基金")
    assert [(r.value, r.as_of, r.year, r.document) for r in rows] == [
        ("210万元", "截至2022年底", 2022, "青禾县2022年工作总结.txt"),
        ("286.4万元", "截至9月底", 2023, "青禾县2023年工作总结.txt"),
        ("331.2万元", "截至11月", 2023, "青禾县2023年党建工作总结.txt"),
    ]
    assert rows[1].section == "一、2023年工作开展情况 > （四）基金监管更加严密"
    assert rows[2].metric == "追回XX基金" and rows[2].number == Decimal(3_312_000)


def test_all_rows_without_metric_and_json_shape() -> None:
    rows = history_from_chunks(_chunks())
    assert len(rows) == 6
    assert set(rows[0].to_json()) >= {"metric", "value", "as_of", "document", "section", "year"}


def test_change_against_history_only_for_comparable_points() -> None:
    rows = history_from_chunks(_chunks(), metric="追回医保基金")
    now = parse_figures("截至2024年11月，追回医保基金452.3万元").facts
    (d,) = changes_against_history(now, rows)
    assert d.previous == "331.2万元" and d.text == "同比增长36.6％"  # 截至2023年11月 vs 截至2024年11月
    assert d.comparable


def test_metric_history_reads_a_real_knowledge_base(fake_doc) -> None:
    from index.ingest import ingest_chunks

    settings = get_settings()
    doc = fake_doc()
    ingest_chunks(settings, [doc], kb="hist")
    rows = metric_history(settings, "检查定点医药机构", kb="hist")
    assert [(r.value, r.document) for r in rows] == [("126家", doc.source)]


@needs_seeds
def test_seed_reports_give_the_issue_example() -> None:
    from index.ingest import ingest_paths

    settings = get_settings()
    paths = [p for p in seed_paths() if p.name.startswith(("000", "002"))]
    ingest_paths(settings, paths, kb="seeds")
    rows = metric_history(settings, "追回医保基金", kb="seeds")
    got = {(r.value, r.as_of, r.document[:3]) for r in rows}
    assert ("309.82万元", "截至9月底", "002") in got
    assert ("399.54万元", "截至11月", "000") in got
