"""规范表述 rules from assistant/data/phrases.yaml, and merging the user's own file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.check import CheckOptions, apply_fixes, check_text
from core.errors import BiganziError


def hits(text: str, rule: str, opts: CheckOptions | None = None) -> list[str]:
    return [f.excerpt for f in check_text(text, opts) if f.rule == rule]


def fixes(text: str, rule: str) -> list[str | None]:
    return [f.replacement for f in check_text(text) if f.rule == rule]


def test_xi_thought_full_name() -> None:
    assert fixes("坚持以习近平新时代中国特色社会主义理论为指导。", "phrase.xi_thought") == [
        "习近平新时代中国特色社会主义思想"
    ]
    assert fixes("学习习近平新时代特色社会主义思想。", "phrase.xi_thought") == [
        "习近平新时代中国特色社会主义思想"
    ]
    assert hits("坚持以习近平新时代中国特色社会主义思想为指导。", "phrase.xi_thought") == []
    assert hits("新时代中国特色社会主义思想的世界观和方法论。", "phrase.xi_thought") == []


@pytest.mark.parametrize("text", ["深入学习贯彻二十大精神。", "认真研读二十大报告。", "十九大以来，我们……"])
def test_bare_party_congress_is_flagged(text: str) -> None:
    found = [f for f in check_text(text) if f.rule == "phrase.party_congress"]
    assert len(found) == 1
    assert found[0].replacement in {"党的二十大", "党的十九大"}


@pytest.mark.parametrize(
    "text",
    [
        "学习贯彻党的二十大精神。",
        "中共二十大报告指出。",
        "党的十八大以来，党的十九大、党的二十大。",
        "围绕“学习贯彻XX大”主题开展活动。",  # a placeholder, not a bare 二十大
        "入选全省二十大类重点项目。",
    ],
)
def test_correct_party_congress_is_not_flagged(text: str) -> None:
    assert hits(text, "phrase.party_congress") == []


def test_xx_da_is_a_leftover_not_a_congress_error() -> None:
    rules = {f.rule for f in check_text("认真学习贯彻XX大精神。")}
    assert "leftover.placeholder" in rules
    assert not any(r.startswith("phrase.party_congress") for r in rules)


def test_arabic_congress_number() -> None:
    assert hits("学习党的20大精神。", "phrase.party_congress_digits") == ["学习党的20大精神。"]
    assert hits("全年完成2020大项目。", "phrase.party_congress_digits") == []


def test_plenum_needs_its_session() -> None:
    assert len(hits("深入学习贯彻三中全会精神。", "phrase.plenum")) == 1
    for ok in ["学习贯彻党的二十届三中全会精神。", "十一届三中全会以来。", "党的二十届三中、四中全会精神。"]:
        assert hits(ok, "phrase.plenum") == [], ok


def test_government_work_report() -> None:
    assert fixes("认真落实县政府报告提出的目标任务。", "phrase.government_report") == ["政府工作报告"]
    for ok in [
        "县政府工作报告提出。",
        "及时向县政府报告有关情况。",
        "在市政府报告厅召开会议。",
        "工作报告已印发。",
    ]:
        assert hits(ok, "phrase.government_report") == [], ok


def test_four_consciousness_order_is_fixed_in_place() -> None:
    text = "牢固树立政治意识、核心意识、大局意识、看齐意识。"
    found = [f for f in check_text(text) if f.rule == "phrase.four_consciousness"]
    assert [f.replacement for f in found] == ["政治意识、大局意识、核心意识、看齐意识"]
    assert apply_fixes(text, found)[0] == "牢固树立政治意识、大局意识、核心意识、看齐意识。"
    assert hits("牢固树立政治意识、大局意识、核心意识、看齐意识。", "phrase.four_consciousness") == []
    # Two items far apart in different sentences are not a list.
    assert hits("增强核心意识。围绕中心服务大局，强化政治意识。", "phrase.four_consciousness") == []


def test_four_confidences_order() -> None:
    found = [
        f
        for f in check_text("坚定道路自信、制度自信、理论自信、文化自信。")
        if f.rule == "phrase.four_confidences"
    ]
    assert [f.replacement for f in found] == ["道路自信、理论自信、制度自信、文化自信"]
    assert hits("坚定道路自信、理论自信、制度自信、文化自信。", "phrase.four_confidences") == []
    assert hits("增强“四个意识”、坚定“四个自信”、做到“两个维护”。", "phrase.four_confidences") == []


def test_guiding_theories_order_with_quotes() -> None:
    wrong = "坚持以马克思列宁主义、邓小平理论、毛泽东思想、“三个代表”重要思想、科学发展观、习近平新时代中国特色社会主义思想为指导。"
    found = [f for f in check_text(wrong) if f.rule == "phrase.guiding_theories"]
    assert len(found) == 1
    assert found[0].replacement is not None and found[0].replacement.startswith(
        "马克思列宁主义、毛泽东思想、邓小平理论"
    )
    right = "坚持以马克思列宁主义、毛泽东思想、邓小平理论、“三个代表”重要思想、科学发展观、习近平新时代中国特色社会主义思想为指导。"
    assert hits(right, "phrase.guiding_theories") == []
    assert (
        hits("坚持以习近平新时代中国特色社会主义思想为指导，践行科学发展观。", "phrase.guiding_theories")
        == []
    )


def test_two_establishments_wording() -> None:
    assert fixes(
        "深刻领悟“两个确立”：确立习近平总书记党中央的核心、全党的核心地位。", "phrase.two_establishments_core"
    ) == ["确立习近平同志党中央的核心、全党的核心地位"]
    assert len(hits("确立习近平新时代中国特色社会主义指导地位。", "phrase.two_establishments_thought")) == 1
    right = "党确立习近平同志党中央的核心、全党的核心地位，确立习近平新时代中国特色社会主义思想的指导地位。"
    assert [f for f in check_text(right) if f.rule.startswith("phrase.")] == []


def test_two_upholds_wording() -> None:
    assert fixes("坚决维护习近平党中央的核心、全党的核心地位。", "phrase.two_upholds_core") == [
        "维护习近平总书记党中央的核心、全党的核心地位"
    ]
    assert fixes("坚决维护党中央权威和统一领导。", "phrase.two_upholds_authority") == [
        "维护党中央权威和集中统一领导"
    ]
    right = "坚决维护习近平总书记党中央的核心、全党的核心地位，坚决维护党中央权威和集中统一领导。"
    assert [f for f in check_text(right) if f.rule.startswith("phrase.")] == []
    assert hits("坚决维护以习近平同志为核心的党中央权威和集中统一领导。", "phrase.two_upholds_core") == []


def test_jiezhi_and_misused_words() -> None:
    assert fixes("截止10月底，共办结业务。", "phrase.jiezhi") == ["截至"]
    assert hits("报名截止日期为10月底。", "phrase.jiezhi") == []
    assert fixes("倾听群众述求。", "phrase.misused_words") == ["诉求"]
    assert hits("倾听群众诉求。", "phrase.misused_words") == []


def test_user_phrases_file_adds_replaces_and_disables(tmp_path: Path) -> None:
    user = tmp_path / "phrases.yaml"
    user.write_text(
        """rules:
  - id: local.name
    kind: forbid
    severity: error
    pattern: 青禾县医保局
    replacement: 青禾县医疗保障局
    message: 单位名称用全称
  - id: phrase.jiezhi
    enabled: false
""",
        encoding="utf-8",
    )
    opts = CheckOptions(user_phrases=user)
    text = "青禾县医保局截止10月底办结业务。"
    found = {f.rule: f.replacement for f in check_text(text, opts)}
    assert found.get("local.name") == "青禾县医疗保障局"
    assert "phrase.jiezhi" not in found
    assert "phrase.jiezhi" in {f.rule for f in check_text(text)}


def test_from_settings_picks_up_data_dir_file(tmp_path: Path) -> None:
    from core.settings import get_settings

    settings = get_settings(data_dir=tmp_path)
    assert CheckOptions.from_settings(settings).user_phrases is None
    (tmp_path / "phrases.yaml").write_text("rules: []\n", encoding="utf-8")
    assert CheckOptions.from_settings(settings).user_phrases == tmp_path / "phrases.yaml"


@pytest.mark.parametrize(
    "content, words",
    [
        ("rules: [\n", "格式有误"),
        ("rules:\n  - id: x\n    kind: forbid\n    pattern: '('\n", "正则"),
        ("rules:\n  - kind: forbid\n", "id"),
        ("rules:\n  - id: x\n    kind: nonsense\n    pattern: a\n", "kind"),
    ],
)
def test_bad_user_file_is_one_clear_error(tmp_path: Path, content: str, words: str) -> None:
    user = tmp_path / "phrases.yaml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(BiganziError, match=words):
        check_text("正文。", CheckOptions(user_phrases=user))


def test_bundled_rules_file_ships_as_package_data() -> None:
    from importlib import resources

    assert resources.files("assistant.data").joinpath("phrases.yaml").is_file()


def test_congress_list_after_dang_de_is_fine() -> None:
    assert hits("深入学习党的十九大、二十大精神。", "phrase.party_congress") == []
