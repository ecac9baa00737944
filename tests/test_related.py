"""Related papers on the real sample archive: the lists a reader would agree with, and the
same lists whatever the worker count, block size or reading order."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator import workers
from generator.build import generate
from generator.config import Paths
from generator.site import related, urls
from generator.site.related import related_papers
from generator.store.archive import load_archive
from generator.topics import Taxonomy

REPO = Path(__file__).resolve().parents[1]

# Read off the titles and abstracts of papers/: the papers about making LLM inference fast
# (serving systems, kernels, KV cache, token pruning, quantisation) and their surveys.
INFERENCE = {
    "2311.01282",  # FlashDecoding++: faster LLM inference on GPUs
    "2311.18677",  # Splitwise: LLM inference with phase splitting
    "2402.05099",  # Hydragen: high-throughput inference with shared prefixes
    "2402.16363",  # LLM Inference Unveiled: survey
    "2409.04833",  # Achieving peak performance for LLMs: a systematic review
    "2409.17422",  # accelerating long-context LLMs by input token reduction
    "2409.17870",  # arbitrary-precision acceleration on GPU tensor cores
    "2412.03248",  # AIM: adaptive inference of multimodal LLMs by token merging
    "2504.06261",  # Hogwild! Inference: parallel LLM generation
    "2505.01658",  # survey on inference engines for LLMs
    "2506.08373",  # draft-based approximate inference (KV cache, attention)
    "2510.19669",  # DiffAdapt: token-efficient LLM inference
}
TEST_TIME_SCALING = {"2410.02725", "2502.01618", "2504.14047", "2508.18132"}
RETRIEVAL = {"2411.19443", "2508.18132", "2603.01425"}  # Auto-RAG, generative and dense retrieval
CODE = {"2507.22853", "2601.05475"}  # Repair-R1 (program repair), MaxCode (code optimisation)


def _sample(papers_dir: Path = REPO / "papers", **options) -> dict[str, list[related.Related]]:
    taxonomy = Taxonomy.load(REPO / "topics.yml")
    papers = load_archive(papers_dir).papers
    topics = {p.id: taxonomy.assign(p) for p in papers}
    names = {t.slug: t.name for t in taxonomy.topics}
    return related_papers(papers, topics, names, **options)


@pytest.fixture(scope="module")
def found() -> dict[str, list[related.Related]]:
    return _sample()


def _ids(found: dict, paper: str) -> list[str]:
    return [r.id for r in found[paper]]


def test_every_sample_paper_gets_a_full_list_of_others(found):
    assert len(found) == 34
    for paper, items in found.items():
        ids = [r.id for r in items]
        assert len(ids) == related.RELATED, paper
        assert paper not in ids and len(set(ids)) == len(ids)
        assert all(1 <= len(r.terms) <= related.SHOWN_TERMS for r in items)


def test_an_inference_survey_lists_the_other_survey_and_serving_systems(found):
    for survey, other in (("2402.16363", "2505.01658"), ("2505.01658", "2402.16363")):
        ids = _ids(found, survey)
        assert ids[0] == other
        assert "survey" in found[survey][0].terms
    assert set(_ids(found, "2402.16363")) <= INFERENCE
    assert len(set(_ids(found, "2505.01658")) & INFERENCE) >= 3


def test_serving_systems_list_each_other(found):
    for paper in ("2311.01282", "2311.18677", "2402.05099", "2506.08373", "2504.06261"):
        assert len(set(_ids(found, paper)) & INFERENCE) >= 4, paper
    assert "2506.08373" in _ids(found, "2402.05099")[:2]  # both about attention and the KV cache


def test_a_program_repair_paper_lists_the_code_paper_first(found):
    assert _ids(found, "2507.22853")[0] == "2601.05475"
    assert _ids(found, "2601.05475")[0] == "2507.22853"
    assert "code" in found["2507.22853"][0].terms


def test_test_time_scaling_and_retrieval_papers_find_their_kind(found):
    for paper in TEST_TIME_SCALING - {"2508.18132"}:
        assert len(set(_ids(found, paper)[:3]) & TEST_TIME_SCALING) >= 2, paper
    for paper in RETRIEVAL:
        assert RETRIEVAL - {paper} <= set(_ids(found, paper)), paper


def test_a_shown_word_is_not_repeated_inside_a_shown_phrase(found):
    for items in found.values():
        for item in items:
            words = [set(term.split()) for term in item.terms]
            for i, a in enumerate(words):
                assert not any(i != j and a <= b for j, b in enumerate(words)), item


def test_same_lists_whatever_the_processes_blocks_and_order(found, monkeypatch):
    monkeypatch.setattr(related, "BLOCK_ROWS", 5)  # several blocks, the last one short
    assert _sample(processes=1) == found
    assert _sample(processes=3) == found
    taxonomy = Taxonomy.load(REPO / "topics.yml")
    papers = load_archive(REPO / "papers").papers[::-1]
    topics = {p.id: taxonomy.assign(p) for p in papers}
    names = {t.slug: t.name for t in taxonomy.topics}
    assert related_papers(papers, topics, names, processes=2) == found


def test_the_terms_a_build_kept_give_the_lists_the_text_gives(found):
    """A build passes the terms its load cache kept (``related.terms``) for the papers it
    did not read anew: they are what is searched by, and a paper with none still counts."""
    taxonomy = Taxonomy.load(REPO / "topics.yml")
    papers = load_archive(REPO / "papers").papers
    topics = {p.id: taxonomy.assign(p) for p in papers}
    names = {t.slug: t.name for t in taxonomy.topics}
    kept = {p.id: related.terms(p) for p in papers[: len(papers) // 2]}  # the others: none
    assert related_papers(papers, topics, names, terms_of=kept) == found
    survey, repair = "2402.16363", "2507.22853"  # each listing the other would be absurd
    assert repair not in _ids(found, survey)
    swapped = {**kept, survey: related.terms(next(p for p in papers if p.id == repair))}
    assert _ids(related_papers(papers, topics, names, terms_of=swapped), survey)[0] == repair
    emptied = related_papers(papers, topics, names, terms_of={**kept, survey: ""})
    assert emptied[survey], "a paper without terms is still found by its topics"
    assert {t for r in emptied[survey] for t in r.terms} <= set(names.values())


def test_cut_vectors_still_give_the_judged_lists(found, monkeypatch):
    """What a large archive does (few terms per paper, few papers per term) kept small."""
    monkeypatch.setattr(related, "KEPT_TERMS", 24)
    monkeypatch.setattr(related, "POSTINGS", 8)
    cut = _sample(processes=2)
    assert cut != found  # the limits did cut something
    assert _ids(cut, "2402.16363")[0] == "2505.01658"
    assert len(set(_ids(cut, "2402.16363")) & INFERENCE) >= 5
    assert "2601.05475" in _ids(cut, "2507.22853")[:2]


def test_a_paper_like_no_other_gets_no_list(tmp_path):
    shutil.copytree(REPO / "papers", tmp_path / "papers")
    odd = tmp_path / "papers/2026/03/02/2603.09999.md"
    odd.parent.mkdir(parents=True)
    odd.write_text(
        "---\nid: '2603.09999'\ntitle: Pottery glazes of Jingdezhen\n"
        "abstract: Kiln temperatures and celadon.\nlisted: 2026-03-02\n---\n",
        encoding="utf-8",
    )
    assert _sample(tmp_path / "papers")["2603.09999"] == []


def test_generated_pages_are_the_same_bytes_with_one_or_two_workers(tmp_path, monkeypatch):
    pages = {}
    for name, minimum in (("one", 10**9), ("two", 10)):
        root = tmp_path / name
        shutil.copytree(REPO / "papers", root / "papers")
        (root / "docs").mkdir()
        for config in ("mkdocs.yml", "topics.yml"):
            shutil.copy(REPO / config, root / config)
        monkeypatch.setattr(workers, "PARALLEL_MIN", minimum)
        generate(Paths(root))
        pages[name] = {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in (root / "docs").rglob("*")
            if p.is_file()
        }
    assert pages["one"] == pages["two"]
    survey = json.loads(pages["one"]["docs/" + urls.paper("2402.16363").source])["content"]
    assert 'href="../2505.01658/"' in survey  # one paper page to another, relative
