"""Topic rules against a reader's judgment of the sample archive (tests/data/sample_topics.yml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.store.archive import load_archive
from generator.topics import Taxonomy

REPO = Path(__file__).resolve().parent.parent
EXPECTED = yaml.safe_load((REPO / "tests/data/sample_topics.yml").read_text(encoding="utf-8"))


def _assigned() -> dict[str, list[str]]:
    taxonomy = Taxonomy.load(REPO / "topics.yml")
    return {p.id: taxonomy.assign(p) for p in load_archive(REPO / "papers").papers}


def test_the_judgment_covers_the_sample():
    assert sorted(EXPECTED) == sorted(_assigned())
    taxonomy = Taxonomy.load(REPO / "topics.yml")
    assert all(slug in taxonomy.by_slug for slugs in EXPECTED.values() for slug in slugs)


def test_rules_agree_with_a_reader_on_most_papers():
    got = _assigned()
    same = [pid for pid in got if set(got[pid]) == set(EXPECTED[pid])]
    first = [pid for pid in got if got[pid][0] in EXPECTED[pid]]
    assert len(same) >= 0.75 * len(got), sorted(set(got) - set(same))
    assert len(first) >= 0.9 * len(got), sorted(set(got) - set(first))


def test_at_most_two_topics_a_paper_on_average():
    got = _assigned()
    assert sum(len(t) for t in got.values()) / len(got) <= 2


def test_efficient_inference_only_for_papers_about_cheaper_or_faster_models():
    got = _assigned()
    filed = {pid for pid, topics in got.items() if "efficient-inference" in topics}
    cheaper = {pid for pid, topics in EXPECTED.items() if "efficient-inference" in topics}
    assert filed <= cheaper
    assert len(filed) >= 0.75 * len(cheaper)


def _one_topic_rules(tmp_path: Path) -> Taxonomy:
    rules = tmp_path / "topics.yml"
    rules.write_text(
        "topics:\n"
        "  - {slug: video, name: Video, keywords: [video]}\n"
        "  - {slug: code, name: Code, keywords: [code]}\n"
    )
    return Taxonomy.load(rules)


def test_a_passing_word_is_no_second_topic_but_a_recurring_one_is(tmp_path):
    taxonomy = _one_topic_rules(tmp_path)
    paper = load_archive(REPO / "papers").papers[0]
    passing = paper.replace(
        title="Video models", abstract="A video model; the code is online.", ai_keywords=[]
    )
    assert taxonomy.assign(passing) == ["video"]
    recurring = passing.replace(abstract="Code for video: code, code and more code.")
    assert taxonomy.assign(recurring) == ["video", "code"]


def test_matching_counts_what_each_rules_regex_finds(tmp_path):
    """Topics are matched in one pass over a text's words, not by each topic's regex
    (``Topic.pattern``, the rule as written): both must find the same phrases, also where
    keywords overlap within a topic and across topics, at hyphens and punctuation, and for
    a keyword that does not end in a word character (that topic keeps its regex)."""
    rules = tmp_path / "topics.yml"
    rules.write_text(
        "topics:\n"
        "  - {slug: lm, name: LM, keywords: [large language model, language model, model]}\n"
        "  - {slug: diff, name: Diff, keywords: [diffusion, diffusion model, model-based]}\n"
        "  - {slug: cot, name: CoT, keywords: [chain of thought, chain-of-thought, CoT]}\n"
        "  - {slug: cpp, name: C++, keywords: [c++, code]}\n"
    )
    taxonomy = Taxonomy.load(rules)
    texts = [
        "a large language model and a language model, model model-based diffusion model",
        "diffusion models; diffusion-model diffusion, model. large  language model",
        "chain of thought (chain-of-thought) cot cots xcot cot- -cot chain of  thought",
        "c++ code c++-code codes c+++ (c++) code_ code",
        "",
        "model",
    ]
    for text in texts:
        expected = [topic.pattern.findall(text) for topic in taxonomy.topics]
        assert taxonomy._matcher.findall(text) == expected, text
    assert taxonomy._matcher.regex == [(3, taxonomy.topics[3].pattern)]
    rules_in_use = Taxonomy.load(REPO / "topics.yml")
    for paper in load_archive(REPO / "papers").papers:
        for text in (paper.title.lower(), (paper.abstract or "").lower()):
            expected = [topic.pattern.findall(text) for topic in rules_in_use.topics]
            assert rules_in_use._matcher.findall(text) == expected, paper.id
