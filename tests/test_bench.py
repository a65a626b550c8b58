"""The benchmark's plumbing: judging, figures, tables, results.json, the scale runner.

No model and no timed assertions: the benchmark reports numbers, these tests check that it
counts, writes and runs what it says it does.
"""

from __future__ import annotations

import json
import sys

import pytest

from bench import __main__ as bench_main
from bench import quality, report, scale, speed
from tests.fakes import RecordingFakeModel, answers, poll_answer, question_answer

CLOUDSYNC = {
    "id": "b01",
    "text": "We're thrilled to announce CloudSync Pro! 50% faster. Buy now with code LAUNCH20. "
    "Limited time!!! #cloud #sale #tech",
    "key_facts": ["CloudSync Pro", "50% faster"],
}


# ---- key facts and judging ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "word"),
    [
        ("CloudSync Pro", "cloudsync"),
        ("only $4.50", "$4.50"),
        ("Nonna’s Table", "nonna's"),
        ("Bean There Café", "bean"),
        ("this weekend only", "weekend"),
    ],
)
def test_main_word_is_the_number_or_the_longest_word(fact, word):
    assert quality.main_word(fact) == word


@pytest.mark.parametrize(
    ("fact", "text", "kept"),
    [
        ("CloudSync Pro", "Have you tried cloudsync pro yet?", True),
        ("CloudSync Pro", "What would you sync first with CloudSync?", True),
        ("50% faster", "It is 50% quicker now. What will you do?", True),
        ("50% faster", "It is 150% faster now.", False),  # a whole word, not a substring
        ("Nonna's Table", "Dinner at Nonna’s this week?", True),
        ("Friday June 6", "See you on June 16?", False),
        ("$4.50", "Would you pay $4?", False),
    ],
)
def test_fact_kept(fact, text, kept):
    assert quality.fact_kept(fact, text) is kept


def test_judge_passes_a_clean_question_and_fails_an_ad():
    good = quality.judge(
        "CloudSync Pro is now 50% faster. What would you sync first?", [], CLOUDSYNC
    )
    assert good["critique"] and good["no_invented"] and good["fits"] and good["all_key_facts"]
    assert quality.passes(good)
    ad = quality.judge(
        "BUY CloudSync Pro NOW!!! 70% off today only!!! #sale #deal #tech", [], CLOUDSYNC
    )
    assert not ad["critique"] and not ad["no_invented"]  # 70% is not in the post
    assert not quality.passes(ad)


def test_judge_checks_poll_options_against_the_platform():
    options = ["Photos", "A very long option that no poll allows", "Music"]
    checks = quality.judge("CloudSync Pro is 50% faster: what first?", options, CLOUDSYNC)
    assert not checks["fits"]


def _record(*variants):
    return {"variants": [{"playbook": p, "passed": ok, "critique": ok, "no_invented": True,
                          "fits": True, "all_key_facts": False, "key_facts_kept": 0.5}
                         for p, ok in variants]}  # fmt: skip


def test_figures_per_playbook_and_both_pass():
    records = [
        _record(("question", True), ("poll", True)),
        _record(("question", True), ("poll", False)),
        _record(("question", False), ("poll", False)),
        _record(("question", False), ("poll", True)),
    ]
    question = quality.figures(records, "question")
    assert question["posts"] == 4 and question["posts_with_pass"] == 0.5
    overall = quality.figures(records)
    assert overall["variants"] == 8 and overall["posts_with_pass"] == 0.75
    assert overall["key_facts_kept"] == 0.5 and overall["all_key_facts"] == 0
    assert quality.both_pass(records) == 0.25


def test_draft_and_baseline_runs_with_a_fake_model():
    model = RecordingFakeModel(
        responses=answers(
            question_answer("CloudSync Pro now syncs 50% faster. What would you sync first?"),
            poll_answer(
                "CloudSync Pro is 50% faster. What will you sync first?",
                ["Photos", "Work files", "Music"],
            ),
        )
    )
    [record] = quality.run_draft(model, [CLOUDSYNC])
    assert record["source"] == CLOUDSYNC["text"]
    assert [v["playbook"] for v in record["variants"]] == ["question", "poll"]
    assert all(v["passed"] for v in record["variants"])

    fake = RecordingFakeModel(responses=["Limited time!!! Buy CloudSync Pro now #a #b #c #d"])
    [base] = quality.run_baseline(fake, [CLOUDSYNC])
    [variant] = base["variants"]
    assert variant["playbook"] == "baseline" and not variant["passed"]
    assert fake.calls[0]["kwargs"]["temperature"] == quality.BASELINE_TEMPERATURE
    sent = fake.calls[0]["messages"][0].content
    assert sent == quality.BASELINE_PROMPT.format(post=CLOUDSYNC["text"])


def test_quick_posts_are_a_spread_handful():
    posts = quality.load_posts(quick=True)
    assert len(posts) == quality.QUICK_POSTS
    assert len({p["industry"] for p in posts}) > 1
    assert all(p["key_facts"] for p in quality.load_posts())


# ---- report -------------------------------------------------------------------------------


def test_median_and_p95():
    assert report.median([3, 1, 2]) == 2
    assert report.median([1, 2, 3, 4]) == 2.5
    assert report.p95(list(range(1, 21))) == 19
    assert report.p95([5.0]) == 5.0
    assert report.median([]) is None and report.p95([]) is None


def test_render_aligns_columns_and_shows_missing_values():
    table = report.Table("T", ["name", "value"], [["a", 1.5], ["longer", None]], ["a note"])
    lines = report.render(table).splitlines()
    assert lines[0] == "T"
    assert lines[2] == "------  -----"
    assert lines[3] == "a       1.500"
    assert lines[4] == "longer      -"
    assert lines[-1] == "  a note"
    assert "| a | 1.500 |" in report.markdown(table)


def test_targets_met_missed_and_not_measured():
    results = {"sections": {"speed": {"help_seconds": 0.2, "rewrite_median_seconds": 7.5},
                            "quality": {"both_pass": 0.95}}}  # fmt: skip
    checks = {c["name"]: c for c in report.check_targets(results)}
    assert checks["draft --help process"]["met"] is True
    assert checks["draft rewrite median wall"]["met"] is False
    assert checks["draft rewrite median wall"]["shown"] == "7.50 s"
    assert checks["posts with a passing question AND poll"]["shown"] == "95.0%"
    assert checks["chat first token"]["met"] is None
    assert "not measured" in report.render(report.targets_table(list(checks.values())))


def test_write_results_is_valid_json_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "out" / "results.json"
    report.write_results({"date": report.now(), "machine": report.machine()}, path)
    data = json.loads(path.read_text())
    assert data["machine"]["cpu_count"] >= 1 and data["machine"]["python"]
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]


def test_figures_from_other_engineers_sections():
    replies = report.replies_figures(
        {
            "totals": {
                "replies": 4,
                "name": 4,
                "passed": 3,
                "needed": 4,
                "leaks": 0,
                "refunds": 1,
                "discounts": 0,
            }
        }  # fmt: skip
    )
    assert replies["name_share"] == 1.0 and replies["passed_share"] == 0.75
    assert replies["violations"] == 1
    chat = report.chat_figures({"max_first_token_s": 2.0, "median_first_token_s": 0.8})
    assert chat["first_token_seconds"] == 0.8


# ---- the runner ---------------------------------------------------------------------------


def test_only_rejects_unknown_sections(capsys):
    with pytest.raises(SystemExit):
        bench_main.parse_args(["--only", "quality,nope"])
    assert "unknown section 'nope'" in capsys.readouterr().err


def test_main_runs_chosen_sections_and_merges_results(tmp_path, monkeypatch, capsys):
    out = tmp_path / "results.json"
    fake = {
        "speed": (lambda run: {"help_seconds": 0.1}, lambda r: [report.Table("S", ["x"], [[1]])]),
        "chat": (lambda run: {"skipped": "bench/chat_latency.py is not there yet"}, None),
        "scale": (lambda run: 1 / 0, None),
    }
    monkeypatch.setattr(bench_main, "SECTIONS", {**bench_main.SECTIONS, **fake})
    assert bench_main.main(["--only", "speed,chat", "--out", str(out)]) == 0
    assert bench_main.main(["--only", "scale", "--out", str(out)]) == 1  # a crash is recorded
    data = json.loads(out.read_text())
    assert data["sections"]["speed"]["help_seconds"] == 0.1  # kept from the first run
    assert data["sections"]["scale"]["error"].startswith("ZeroDivisionError")
    assert "load_average" in data["sections"]["speed"] and data["machine"]["python"]
    printed = capsys.readouterr().out
    assert "chat: not measured" in printed and "Targets" in printed
    assert bench_main.main(["--markdown", "--out", str(out)]) == 0
    assert "**Targets**" in capsys.readouterr().out


def test_run_process_reports_exit_code_memory_and_last_error(tmp_path):
    code = "import sys; print('out'); print('first\\nwhy it failed', file=sys.stderr); sys.exit(3)"
    run = speed.run_process([sys.executable, "-c", code], speed.clean_env(str(tmp_path)))
    assert run.returncode == 3 and run.stdout.strip() == "out"
    assert run.error == "why it failed"
    assert run.max_rss_mb > 1


def test_scale_runner_against_the_stub(tmp_path):
    """The real CLI, three files, two concurrency levels, a tiny latency."""
    files = scale.write_posts(tmp_path, 3)
    result = scale.stub_levels(files, speed.clean_env(str(tmp_path)), latency=0.01, levels=(1, 2))
    first, second = result["rows"]
    assert first["exit"] in (0, 1) and second["exit"] in (0, 1)  # 1: stub answers fail critique
    assert first["variants"] == 6 and first["requests"] == second["requests"] > 0
    assert second["max_in_flight"] >= first["max_in_flight"] >= 1
    assert result["requests_per_file"] == first["requests"] / 3
