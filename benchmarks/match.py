"""Matcher benchmarks: speed, memory, cold start and answer quality, against a naive baseline.

    python -m benchmarks.match                     # shipped knowledge + 1k/10k/100k synthetic
    python -m benchmarks.match --quick             # a fast smoke run (tiny sizes, few questions)
    python -m benchmarks.match --sizes 1000,10000 --queries 500 --json /tmp/match.json

Speed: for each knowledge base (the shipped one if it loads, then synthetic ones of the
given sizes), the same reproducible questions (perturbed in-KB phrasings mixed with
off-topic ones) go through the project ``Matcher`` and the naive ``WRatio``-everything
baseline; each question is timed on its own with ``time.perf_counter_ns``. On very large
bases the baseline takes about a second a question, so it gets fewer questions (said in
the table and the JSON). Memory is the resident-set growth of building and querying the
index, measured in a fresh subprocess with ``resource.getrusage`` (``ru_maxrss``). Quality
is ``bot.evaluation.evaluate`` on the labelled sets in ``evals/sets``, for both matchers.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import rapidfuzz

from bot.knowledge.loader import Knowledge, KnowledgeError, load_knowledge
from bot.matching.answer import Answer
from bot.matching.evaluation import Labelled, evaluate, is_correct, load_labelled
from bot.matching.matcher import Matcher

from .baseline import DEFAULT_THRESHOLD, NaiveBaseline, tune_threshold
from .synthetic import build_knowledge, sample_labelled, sample_questions

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
EVAL_SETS = {
    name: ROOT / "evals" / "sets" / f"{name}.yaml"
    for name in (
        *("dev", "test", "holdout", "fresh", "blind"),
        *(f"blind{n}" for n in range(2, 40)),
        *(f"diag{n}" for n in range(1, 7)),
    )
}
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "match.json"
DEFAULT_SIZES = (1000, 10000, 100000)
QUICK_SIZES = (300,)
COLD_START_QUESTION = "when was the tour"

# The baseline scores every phrasing in Python; past this many phrasings it gets only
# ``--baseline-cap`` questions so a run stays within minutes.
BASELINE_FULL_LIMIT = 200_000

# The targets the project must meet (on the 2-core reference machine).
P99_10K_MS = 1.0
P99_100K_MS = 10.0
SPEEDUP_10K = 10.0
MEMORY_100K_MB = 300.0


# -- timing --------------------------------------------------------------------------------


def _latencies(
    ask: Callable[[str], Answer], items: Sequence[Labelled], knowledge: Knowledge
) -> tuple[list[int], dict[str, Any]]:
    """Time each question on its own; also tally outcomes and top-1 accuracy."""
    timings: list[int] = []
    outcomes: Counter[str] = Counter()
    in_scope = correct = off_topic = off_topic_answered = 0
    clock = time.perf_counter_ns
    for item in items:
        start = clock()
        answer = ask(item.question)
        timings.append(clock() - start)
        outcomes[answer.outcome.value] += 1
        if item.expect is not None:
            in_scope += 1
            correct += answer.answered and is_correct(answer, item.expect, knowledge)
        else:
            off_topic += 1
            off_topic_answered += answer.answered
    tally = {
        "outcomes": {k: outcomes.get(k, 0) for k in ("answered", "suggested", "abstained")},
        "in_kb_top1_accuracy": round(correct / in_scope, 4) if in_scope else None,
        "off_topic_answered": round(off_topic_answered / off_topic, 4) if off_topic else None,
    }
    return timings, tally


def _p99(values: Sequence[float]) -> float:
    if len(values) < 2:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def _summary(timings: Sequence[int], tally: dict[str, Any]) -> dict[str, Any]:
    return {
        "questions": len(timings),
        "median_ms": round(statistics.median(timings) / 1e6, 4),
        "p99_ms": round(_p99(timings) / 1e6, 4),
        "max_ms": round(max(timings) / 1e6, 4),
        "questions_per_second": round(len(timings) / (sum(timings) / 1e9), 1),
        **tally,
    }


def bench_speed(
    name: str,
    knowledge: Knowledge,
    queries: int,
    seed: int,
    baseline_threshold: float,
    baseline_cap: int,
) -> dict[str, Any]:
    gc.collect()
    start = time.perf_counter()
    matcher = Matcher(knowledge)
    build_s = time.perf_counter() - start
    baseline = NaiveBaseline(knowledge, baseline_threshold)
    gc.collect()  # measure the steady state, not the collection the build left pending
    phrasings = len(matcher.index.phrasing_text)
    questions = sample_labelled(knowledge, queries, seed)
    for question in sample_questions(knowledge, 20, seed + 1):  # warm-up, not measured
        matcher.ask(question)
    matcher_timings, matcher_tally = _latencies(matcher.ask, questions, knowledge)
    note = None
    baseline_questions = questions
    if phrasings > BASELINE_FULL_LIMIT and len(questions) > baseline_cap:
        baseline_questions = questions[:baseline_cap]
        note = (
            f"baseline measured on the first {baseline_cap} of the {len(questions)} questions "
            f"(it scores all {phrasings:,} phrasings per question)"
        )
    baseline.ask(questions[0].question)  # warm-up, not measured
    baseline_timings, baseline_tally = _latencies(baseline.ask, baseline_questions, knowledge)
    result: dict[str, Any] = {
        "knowledge": name,
        "qas": len(knowledge.qas),
        "facts": len(knowledge.facts),
        "phrasings": phrasings,
        "build_s": round(build_s, 4),
        "matcher": _summary(matcher_timings, matcher_tally),
        "baseline": _summary(baseline_timings, baseline_tally),
        "baseline_note": note,
    }
    result["speedup_median"] = round(
        result["baseline"]["median_ms"] / result["matcher"]["median_ms"], 1
    )
    result["speedup_p99"] = round(result["baseline"]["p99_ms"] / result["matcher"]["p99_ms"], 1)
    return result


def bench_reload(repeats: int) -> dict[str, Any]:
    """load_knowledge + Matcher on the shipped directory, as the bot does on a reload."""
    loads, builds = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        knowledge = load_knowledge(KNOWLEDGE_DIR)
        loaded = time.perf_counter()
        Matcher(knowledge)
        loads.append(loaded - start)
        builds.append(time.perf_counter() - loaded)
    totals = [a + b for a, b in zip(loads, builds, strict=True)]
    return {
        "repeats": repeats,
        "load_knowledge_ms": round(statistics.median(loads) * 1e3, 2),
        "matcher_build_ms": round(statistics.median(builds) * 1e3, 2),
        "total_median_ms": round(statistics.median(totals) * 1e3, 2),
    }


# -- memory (in a fresh subprocess) ----------------------------------------------------------


def _rss_now_kb() -> int:
    """Current resident set (Linux /proc), falling back to the peak where there is none."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _hwm_kb() -> int | None:
    """This process image's own peak resident set (Linux VmHWM), if the system says."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def memory_probe(size: int, queries: int, seed: int) -> dict[str, Any]:
    """Run inside the subprocess: RSS before and peak RSS after building + querying."""
    started_kb = _rss_now_kb()
    inherited_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    knowledge = build_knowledge(size, seed)
    questions = sample_questions(knowledge, queries, seed)
    gc.collect()
    before_kb = _rss_now_kb()
    matcher = Matcher(knowledge)
    for question in questions:
        matcher.ask(question)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_kb = _hwm_kb()
    return {
        "size": size,
        "phrasings": len(matcher.index.phrasing_text),
        "queries": len(questions),
        "interpreter_and_imports_mb": round(started_kb / 1024, 1),
        "rss_before_index_mb": round(before_kb / 1024, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "index_growth_mb": round((peak_kb - before_kb) / 1024, 1),
        "vmhwm_peak_mb": None if hwm_kb is None else round(hwm_kb / 1024, 1),
        # Linux carries ru_maxrss over exec from the parent: if this exceeds the start RSS by
        # much, the parent was bigger than the probe and peak_rss_mb is the parent's.
        "ru_maxrss_at_start_mb": round(inherited_kb / 1024, 1),
    }


def bench_memory(size: int, queries: int, seed: int) -> dict[str, Any]:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    command = [
        sys.executable,
        "-m",
        "benchmarks.match",
        "--memory-probe",
        str(size),
        "--queries",
        str(queries),
        "--seed",
        str(seed),
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["method"] = (
        "fresh subprocess, started before the benchmark builds anything big (Linux keeps "
        "ru_maxrss across exec, so a big parent would leak into it); peak resident set from "
        "resource.getrusage(RUSAGE_SELF).ru_maxrss after Matcher construction + queries, minus "
        "the resident set (/proc/self/statm) just before construction (synthetic knowledge "
        "already built); peak_rss_mb is the whole process: interpreter, imports, knowledge, "
        "index and queries; vmhwm_peak_mb (/proc VmHWM) is the same peak read another way"
    )
    return result


# -- cold start ----------------------------------------------------------------------------


def bench_cold_start(repeats: int, warm_up: bool) -> dict[str, Any]:
    ask = [sys.executable, "-m", "bot", "ask", "--json", COLD_START_QUESTION]
    empty = [sys.executable, "-c", "pass"]
    timings: dict[str, list[float]] = {"ask": [], "python": []}
    last: subprocess.CompletedProcess[str] | None = None
    if warm_up:  # fill the file cache; not measured
        subprocess.run(empty, cwd=ROOT, capture_output=True, check=False)
        subprocess.run(ask, cwd=ROOT, capture_output=True, check=False)
    for _ in range(repeats):
        for key, command in (("python", empty), ("ask", ask)):
            start = time.perf_counter()
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
            timings[key].append(time.perf_counter() - start)
            if key == "ask":
                last = done
    assert last is not None
    answered: bool | None = None
    if last.returncode == 0:
        answered = bool(json.loads(last.stdout).get("answered"))
    ask_ms = statistics.median(timings["ask"]) * 1e3
    python_ms = statistics.median(timings["python"]) * 1e3
    return {
        "command": f"python -m bot ask --json {COLD_START_QUESTION!r}",
        "repeats": repeats,
        "ask_median_ms": round(ask_ms, 1),
        "python_pass_median_ms": round(python_ms, 1),
        "overhead_ms": round(ask_ms - python_ms, 1),
        "exit_code": last.returncode,
        "answered": answered,
        "stderr": last.stderr.strip()[-300:] or None,
    }


# -- quality -------------------------------------------------------------------------------


def bench_quality(
    knowledge: Knowledge, baseline: NaiveBaseline, names: Sequence[str] | None = None
) -> dict[str, Any]:
    """Both matchers on the labelled sets (``names``; all of them by default)."""
    matcher = Matcher(knowledge)
    result: dict[str, Any] = {}
    for name, path in EVAL_SETS.items():
        if names is not None and name not in names:
            continue
        if not path.exists():
            result[name] = {"skipped": f"{path.relative_to(ROOT)} not found"}
            continue
        items = load_labelled(path)
        both = {}
        for label, ask in (("matcher", matcher.ask), ("baseline", baseline.ask)):
            report = evaluate(ask, items, knowledge)
            data = report.to_json()
            abstained = sum(report.counts[(kind, "abstained")] for kind in report.totals)
            data["abstained_share"] = round(abstained / len(items), 4) if items else 0.0
            both[label] = data
        result[name] = {"file": str(path.relative_to(ROOT)), "questions": len(items), **both}
    return result


# -- the run -------------------------------------------------------------------------------


def _targets(speed: list[dict[str, Any]], memory: dict[str, Any] | None) -> dict[str, Any]:
    by_size = {row["qas"]: row for row in speed if row["knowledge"].startswith("synthetic")}
    targets: dict[str, Any] = {}

    def check(
        name: str,
        size: int,
        value: Callable[[dict[str, Any]], float],
        ok: Callable[[float], bool],
        goal: str,
    ) -> None:
        row = by_size.get(size)
        if row is None:
            targets[name] = {"goal": goal, "value": None, "met": None}
        else:
            measured = value(row)
            targets[name] = {"goal": goal, "value": measured, "met": ok(measured)}

    check(
        "p99_10k_ms",
        10_000,
        lambda r: r["matcher"]["p99_ms"],
        lambda v: v < P99_10K_MS,
        f"matcher p99 < {P99_10K_MS:g} ms at 10,000 Q&As",
    )
    check(
        "p99_100k_ms",
        100_000,
        lambda r: r["matcher"]["p99_ms"],
        lambda v: v < P99_100K_MS,
        f"matcher p99 < {P99_100K_MS:g} ms at 100,000 Q&As",
    )
    check(
        "speedup_10k",
        10_000,
        lambda r: r["speedup_median"],
        lambda v: v >= SPEEDUP_10K,
        f">= {SPEEDUP_10K:g}x faster than the naive baseline at 10,000 Q&As (median)",
    )
    goal = f"memory < {MEMORY_100K_MB:g} MB building + querying the 100,000-Q&A index"
    if memory is None or memory["size"] != 100_000:
        targets["memory_100k_mb"] = {"goal": goal, "value": None, "met": None}
    else:
        targets["memory_100k_mb"] = {
            "goal": goal,
            "value": memory["index_growth_mb"],
            "met": memory["index_growth_mb"] < MEMORY_100K_MB,
            "whole_process_peak_mb": memory["peak_rss_mb"],
            "whole_process_under_target": memory["peak_rss_mb"] < MEMORY_100K_MB,
            "note": (
                "value: resident-set growth of building + querying the index (ru_maxrss); "
                "whole_process_peak_mb also counts the interpreter and the synthetic knowledge"
            ),
        }
    return targets


def run(args: argparse.Namespace) -> dict[str, Any]:
    notes: list[str] = []
    shipped: Knowledge | None = None
    try:
        shipped = load_knowledge(KNOWLEDGE_DIR)
    except KnowledgeError as err:
        notes.append(
            f"shipped knowledge not loaded ({len(err.problems)} problems): {err.problems[0]}"
        )

    # First, while this process is small: see the note in bench_memory's method.
    memory = None
    if not args.no_memory:
        memory = bench_memory(max(args.sizes), 50 if args.quick else 200, args.seed)
    threshold, tuning = DEFAULT_THRESHOLD, None
    quality: dict[str, Any] = {}
    if shipped is None:
        quality = {"skipped": "no shipped knowledge to evaluate"}
    else:
        baseline = NaiveBaseline(shipped)
        if EVAL_SETS["dev"].exists():
            tuned = tune_threshold(baseline, load_labelled(EVAL_SETS["dev"]))
            threshold, baseline.threshold = tuned.threshold, tuned.threshold
            tuning = {
                "threshold": tuned.threshold,
                "dev_in_scope_accuracy": round(tuned.in_scope_accuracy, 4),
                "dev_held_back": round(tuned.held_back, 4),
                "objective": (
                    "max(in-scope accuracy + near-miss/out-of-scope held back), ties -> higher"
                ),
            }
        else:
            notes.append(f"no dev set: baseline threshold is the default {DEFAULT_THRESHOLD:g}")
        # A quick smoke run measures one set (tests/matching/test_quality.py has them all).
        quality = bench_quality(shipped, baseline, ["dev"] if args.quick else None)

    speed: list[dict[str, Any]] = []
    if shipped is not None:
        speed.append(
            bench_speed("shipped", shipped, args.queries, args.seed, threshold, args.baseline_cap)
        )
    for size in args.sizes:
        knowledge = build_knowledge(size, args.seed)
        speed.append(
            bench_speed(
                f"synthetic-{size}",
                knowledge,
                args.queries,
                args.seed,
                threshold,
                args.baseline_cap,
            )
        )
        del knowledge
    reload = bench_reload(1 if args.quick else 5) if shipped is not None else None
    cold_start = (
        None if args.no_cold_start else bench_cold_start(1 if args.quick else 5, not args.quick)
    )
    return {
        "meta": {
            "command": " ".join(["python -m benchmarks.match", *args.argv]),
            "python": platform.python_version(),
            "rapidfuzz": rapidfuzz.__version__,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "quick": args.quick,
            "queries": args.queries,
            "seed": args.seed,
            "sizes": list(args.sizes),
            "baseline_threshold": threshold,
            "baseline_tuning": tuning,
            "notes": notes,
        },
        "speed": speed,
        "reload": reload,
        "memory": memory,
        "cold_start": cold_start,
        "quality": quality,
        "targets": _targets(speed, memory),
    }


# -- printing ------------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _outcomes(summary: dict[str, Any]) -> str:
    return "/".join(str(v) for v in summary["outcomes"].values())


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    out = [
        f"tourbot matcher benchmark  (python {meta['python']}, rapidfuzz {meta['rapidfuzz']}, "
        f"{meta['cpus']} CPUs{', QUICK' if meta['quick'] else ''})",
        f"baseline: WRatio over every phrasing, answer if >= {meta['baseline_threshold']:g}"
        + (" (tuned on the dev set)" if meta["baseline_tuning"] else " (default, untuned)"),
        "",
        "Speed (per question, perf_counter_ns; same questions for both unless noted)",
    ]
    rows = []
    for r in results["speed"]:
        m, b = r["matcher"], r["baseline"]
        rows.append(
            [
                r["knowledge"],
                f"{r['qas']:,}",
                f"{r['phrasings']:,}",
                f"{r['build_s']:.3f}",
                m["questions"],
                f"{m['median_ms']:.3f}",
                f"{m['p99_ms']:.3f}",
                f"{m['questions_per_second']:,.0f}",
                b["questions"],
                f"{b['median_ms']:.3f}",
                f"{b['p99_ms']:.3f}",
                f"{b['questions_per_second']:,.1f}",
                f"{r['speedup_median']:g}x",
                f"{r['speedup_p99']:g}x",
            ]
        )
    out.append(
        _table(
            [
                "knowledge",
                "Q&As",
                "phrasings",
                "build s",
                "n",
                "matcher med ms",
                "p99 ms",
                "q/s",
                "n",
                "baseline med ms",
                "p99 ms",
                "q/s",
                "ratio med",
                "ratio p99",
            ],
            rows,
        )
    )
    out += [
        f"  note: {r['knowledge']}: {r['baseline_note']}"
        for r in results["speed"]
        if r["baseline_note"]
    ]
    out += [
        "",
        "Answers on those timed questions (in-KB ones are perturbed phrasings of a known Q&A)",
    ]
    rows = []
    for r in results["speed"]:
        for label in ("matcher", "baseline"):
            d = r[label]
            rows.append(
                [
                    r["knowledge"] if label == "matcher" else "",
                    label,
                    d["questions"],
                    _share(d["in_kb_top1_accuracy"]),
                    _share(d["off_topic_answered"]),
                    _outcomes(d),
                ]
            )
    out.append(
        _table(
            [
                "knowledge",
                "who",
                "n",
                "in-KB top-1 acc",
                "off-topic answered",
                "answered/suggested/abstained",
            ],
            rows,
        )
    )
    reload = results["reload"]
    if reload:
        out += [
            "",
            f"Reload (load_knowledge + Matcher on knowledge/, median of {reload['repeats']}): "
            f"{reload['total_median_ms']:.1f} ms (load {reload['load_knowledge_ms']:.1f} ms, "
            f"index {reload['matcher_build_ms']:.1f} ms)",
        ]
    memory = results["memory"]
    if memory:
        out += [
            "",
            f"Memory, {memory['size']:,} Q&As ({memory['phrasings']:,} phrasings, "
            f"{memory['queries']} questions), fresh subprocess, RSS via getrusage ru_maxrss:",
            f"  index build + queries grew the resident set by {memory['index_growth_mb']:.1f} MB"
            f" (from {memory['rss_before_index_mb']:.1f} MB with the synthetic knowledge built;"
            f" interpreter + imports {memory['interpreter_and_imports_mb']:.1f} MB);"
            f" whole-process peak {memory['peak_rss_mb']:.1f} MB"
            + (
                f" (VmHWM {memory['vmhwm_peak_mb']:.1f} MB)"
                if memory.get("vmhwm_peak_mb") is not None
                else ""
            ),
        ]
    cold = results["cold_start"]
    if cold:
        status = "answered" if cold["answered"] else f"exit {cold['exit_code']}, not answered"
        out += [
            "",
            f"Cold start, median of {cold['repeats']}: {cold['command']}"
            f" {cold['ask_median_ms']:.1f} ms"
            f" vs python -c pass {cold['python_pass_median_ms']:.1f} ms"
            f" (+{cold['overhead_ms']:.1f} ms; {status})",
        ]
    out += ["", "Quality (bot.evaluation.evaluate on the labelled sets, shipped knowledge)"]
    quality = results["quality"]
    if "skipped" in quality:
        out.append(f"  skipped: {quality['skipped']}")
    else:
        rows = []
        for name, q in quality.items():
            if "skipped" in q:
                out.append(f"  {name}: skipped: {q['skipped']}")
                continue
            for label in ("matcher", "baseline"):
                d = q[label]
                ins = d["in_scope"]
                rows.append(
                    [
                        f"{name} ({q['questions']})",
                        label,
                        f"{d['in_scope_accuracy']:.1%}",
                        ins["wrong"],
                        ins["suggested"],
                        ins["abstained"],
                        f"{d['not_answered_out_of_scope_and_near_miss']:.1%}",
                        f"{d['abstained_share']:.1%}",
                    ]
                )
        if rows:
            out.append(
                _table(
                    [
                        "set",
                        "who",
                        "top-1 acc",
                        "wrong",
                        "suggested",
                        "abstained",
                        "off/near held back",
                        "abstained (all)",
                    ],
                    rows,
                )
            )
    out += ["", "Targets"]
    for t in results["targets"].values():
        verdict = {True: "MET", False: "MISSED", None: "not measured"}[t["met"]]
        value = "" if t["value"] is None else f": {t['value']:g}"
        if t["value"] is None:
            pass
        elif "whole_process_peak_mb" in t:
            value += f" MB grown (whole process peak {t['whole_process_peak_mb']:g} MB)"
        elif "faster" in t["goal"]:
            value += "x"
        else:
            value += " ms"
        out.append(f"  [{verdict}] {t['goal']}{value}")
    for note in meta["notes"]:
        out.append(f"note: {note}")
    return "\n".join(out)


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(part.replace("_", "").replace("k", "000")) for part in text.split(",") if part)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.match", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", type=_sizes, help="synthetic Q&A counts, e.g. 1000,10000,100000")
    parser.add_argument("--queries", type=int, help="questions per knowledge base (default 500)")
    parser.add_argument(
        "--quick", action="store_true", help="fast smoke run (tiny sizes, few questions)"
    )
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_JSON, help="where to write the results"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--baseline-cap", type=int, default=30, help="baseline questions on huge bases"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory subprocess")
    parser.add_argument("--no-cold-start", action="store_true", help="skip the cold-start runs")
    parser.add_argument("--memory-probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    if args.queries is None:
        args.queries = 40 if args.quick else 500
    args.argv = list(argv)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.memory_probe is not None:
        print(json.dumps(memory_probe(args.memory_probe, args.queries, args.seed)))
        return 0
    results = run(args)
    print(render(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
