"""Start-up and reload benchmarks: cold ``tourbot ask``, reloads, answers during a reload,
and a restart at 100,000 entries.

    python -m benchmarks.startup                     # everything (the 100k part: ~10 min)
    python -m benchmarks.startup --skip-100k         # the shipped knowledge only (~2 min)
    python -m benchmarks.startup --quick             # a smoke run

What is measured, and how (this machine is noisy, so each figure is compared with a
reference measured in the same run, alternating, never with another day's):

- **Cold start**: ``python -m bot ask --json "When was the study tour?"`` in a new process,
  with a warm cache on disk (the model and the saved matcher, ``bot.matching.compiled``),
  alternating with ``python -c pass``; medians, the slowest run, and the ratio.
- **Reload** of the shipped knowledge, in one process as the bot does: ``load_knowledge``
  plus ``Matcher`` (each text normalised once per process, so the second and later
  loads), ``load_matcher`` of an unchanged directory (the saved matcher), and
  ``load_matcher`` after editing one entry (a build that reuses the rest).
- **Answers during a reload**: an ``AnswerService`` on a copy of the shipped knowledge
  answers the dev set's questions one after another in the main thread while another
  thread reloads without pause, each time after a new one-phrasing edit (so every
  reload builds: the worst case; the build runs in the service's child process), and
  again with no edit (every reload loads the saved matcher), and again with edits but
  the build in the answering process (``build_in_child=False``, as before the child);
  per-question latency, median and p99, against the same questions with no reload
  running, in alternating phases.
- **Restart at 100,000 entries**: ``benchmarks.synthetic`` knowledge written as YAML
  files, built once (not timed as a restart), then ``tourbot ask --knowledge`` in new
  processes, alternating with ``python -c pass``. Embedding the ~600,000 texts would take
  about an hour here, so the vector cache for the synthetic texts is filled with
  deterministic pseudo-random unit vectors (the sentence model is not run for them; the
  question itself is embedded by the real model). What this measures is loading, not
  embedding, and the answers it gives mean nothing.

Results go to ``benchmarks/results/startup.json`` and are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.matching.embedding import CACHE_ENV, DIMENSIONS, MODEL_KEY, Vectors, cache_dir

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "startup.json"
QUESTION = "When was the study tour?"
# Each reload that must build edits this phrasing of knowledge/qa.yaml into a new one.
EDITED_PHRASING = "      - when was the tour\n"


def _edit(original: str, number: int) -> str:
    """qa.yaml with one phrasing changed, differently for every ``number``."""
    return original.replace(EDITED_PHRASING, f"      - when was the tour, version {number}\n", 1)


def _p99(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def _ms(seconds: float) -> float:
    return round(seconds * 1e3, 1)


def _alternate(commands: dict[str, list[str]], repeats: int, env: dict[str, str]) -> dict[str, Any]:
    """Each command ``repeats`` times, in turn, after one unmeasured run of each."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
    for _ in range(repeats):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
            times[name].append(time.perf_counter() - start)
    return {
        name: {"median_ms": _ms(statistics.median(t)), "max_ms": _ms(max(t)), "runs": len(t)}
        for name, t in times.items()
    }


def bench_cold_start(repeats: int) -> dict[str, Any]:
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "tourbot ask": [sys.executable, "-m", "bot", "ask", "--json", QUESTION],
    }
    result = _alternate(commands, repeats, dict(os.environ))
    result["ratio"] = round(
        result["tourbot ask"]["median_ms"] / result["python -c pass"]["median_ms"], 1
    )
    return result


def bench_reload(repeats: int) -> dict[str, Any]:
    from bot.knowledge.loader import load_knowledge
    from bot.matching.compiled import load_matcher
    from bot.matching.matcher import Matcher

    def timed(action: Callable[[], object]) -> float:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory() as work:
        directory = Path(work) / "knowledge"
        shutil.copytree(KNOWLEDGE_DIR, directory, ignore=shutil.ignore_patterns(".*"))
        qa = directory / "qa.yaml"
        original = qa.read_text(encoding="utf-8")
        first = timed(lambda: Matcher(load_knowledge(directory)))  # normalises everything
        load_matcher(directory)  # saved
        built, cached, after_edit = [], [], []
        for number in range(repeats):
            built.append(timed(lambda: Matcher(load_knowledge(directory))))
            cached.append(timed(lambda: load_matcher(directory)))
            qa.write_text(_edit(original, number), encoding="utf-8")
            after_edit.append(timed(lambda: load_matcher(directory)))
    return {
        "first_load_and_build_ms": _ms(first),
        "load_and_build_ms": _ms(statistics.median(built)),
        "load_matcher_unchanged_ms": _ms(statistics.median(cached)),
        "load_matcher_after_edit_ms": _ms(statistics.median(after_edit)),
        "repeats": repeats,
    }


# How often the unchanged-files phase reloads: 100 a second, 200 times the file watcher's
# look every 2 s (TOURBOT_WATCH_INTERVAL) and far more than moderators type /kb reload.
UNCHANGED_EVERY = 0.01


def bench_answers_during_reload(
    rounds: int, edit: bool = True, in_child: bool = True
) -> dict[str, Any]:
    """With ``edit``, every reload builds (a new edit each time), back to back; without,
    the files are unchanged and a reload keeps the live matcher (``bot.service``), so it is
    asked for every ``UNCHANGED_EVERY`` seconds: back to back, a 0.1 ms reload would only
    measure a thread spinning on the interpreter lock. With ``in_child`` (the service's
    default) a build runs in the child process of ``bot.builder``, else in the answering
    process, as before it had one."""
    from bot.matching.evaluation import load_labelled
    from bot.service import AnswerService

    questions = [item.question for item in load_labelled(ROOT / "evals" / "sets" / "dev.yaml")]
    with tempfile.TemporaryDirectory() as work:
        directory = Path(work) / "knowledge"
        shutil.copytree(KNOWLEDGE_DIR, directory, ignore=shutil.ignore_patterns(".*"))
        qa = directory / "qa.yaml"
        original = qa.read_text(encoding="utf-8")
        service = AnswerService(directory, build_in_child=in_child)
        for question in questions:  # warm: the typo cache, wordfreq's list
            service.ask(question)
        idle: list[float] = []
        busy: list[float] = []
        reloads: list[float] = []

        def ask_all(into: list[float]) -> None:
            for question in questions:
                start = time.perf_counter()
                service.ask(question)
                into.append(time.perf_counter() - start)

        for _ in range(rounds):
            ask_all(idle)
            running = threading.Event()
            running.set()

            def reload_loop(running: threading.Event = running) -> None:
                while running.is_set():
                    if edit:
                        qa.write_text(_edit(original, len(reloads)), encoding="utf-8")
                    start = time.perf_counter()
                    assert service.reload().ok
                    reloads.append(time.perf_counter() - start)
                    if not edit:
                        time.sleep(UNCHANGED_EVERY)

            thread = threading.Thread(target=reload_loop)
            thread.start()
            ask_all(busy)
            running.clear()
            thread.join()
        service.close()
    result: dict[str, Any] = {
        "questions": len(idle),
        "idle_median_ms": round(statistics.median(idle) * 1e3, 2),
        "idle_p99_ms": round(_p99(idle) * 1e3, 2),
        "during_reload_median_ms": round(statistics.median(busy) * 1e3, 2),
        "during_reload_p99_ms": round(_p99(busy) * 1e3, 2),
        "reloads": len(reloads),
        "reload_median_ms": _ms(statistics.median(reloads)) if reloads else None,
    }
    result["p99_ratio"] = round(result["during_reload_p99_ms"] / result["idle_p99_ms"], 2)
    return result


# -- 100,000 entries ----------------------------------------------------------------------


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)  # a JSON string is a YAML double-quoted one


def write_synthetic(directory: Path, size: int, seed: int = 0) -> tuple[str, int]:
    """``benchmarks.synthetic`` knowledge of ``size`` Q&As as knowledge files that pass the
    loader's checks; returns the first Q&A's question (asked by the restart runs) and how
    many phrasings were left out.

    The generator does not promise that two entries never share a phrasing (made-up
    acronyms meet: "who leads VLEP" under two programmes), and the loader rejects a
    phrasing under two entries, so each text is normalised as the loader does and a
    phrasing already claimed by another entry is left out; an entry whose question is
    another's phrasing, or with no phrasing left, is left out whole, with its facts.
    """
    from bot.matching.textnorm import shared_normaliser

    from .synthetic import SYNONYMS, build_knowledge

    knowledge = build_knowledge(size, seed)
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(KNOWLEDGE_DIR / "article.txt", directory / "article.txt")
    # One row per canonical form, every variant of it in the row: a canonical form written
    # twice (``EV`` and ``e.v.`` both mean "electric vehicle") is a duplicate key the loader
    # rejects, which is what made the first 100,000-entry run fail.
    variants: dict[str, list[str]] = {}
    for variant, canonical in SYNONYMS.items():
        variants.setdefault(canonical.lower(), []).append(variant)
    lines = ["synonyms:"]
    lines += [
        f"  {_quoted(canonical)}: [{', '.join(_quoted(v) for v in row)}]"
        for canonical, row in variants.items()
    ]
    (directory / "synonyms.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The table as the loader reads it (variant -> canonical, in file order).
    normalise = shared_normaliser(
        {v: canonical for canonical, row in variants.items() for v in row}
    ).normalise_known
    owner: dict[str, str] = {}
    qa_lines = ["qa:"]
    cited: set[str] = set()
    dropped = 0
    for qa in knowledge.qas.values():
        question_key = normalise(qa.question)
        keys = {p: normalise(p) for p in qa.phrasings}
        phrasings = [p for p, key in keys.items() if key and key not in owner]
        dropped += len(qa.phrasings) - len(phrasings)
        if not question_key or question_key in owner or not phrasings:
            dropped += len(phrasings)
            continue
        for key in (question_key, *(keys[p] for p in phrasings)):
            owner[key] = qa.id
        cited.update(qa.cites)
        qa_lines += [
            f"  - id: {qa.id}",
            f"    question: {_quoted(qa.question)}",
            "    phrasings:",
            *(f"      - {_quoted(p)}" for p in phrasings),
            f"    answer: {_quoted(qa.answer)}",
            f"    cites: [{', '.join(qa.cites)}]",
        ]
    (directory / "qa.yaml").write_text("\n".join(qa_lines) + "\n", encoding="utf-8")
    lines = ["facts:"]
    for fact in knowledge.facts.values():
        if fact.id not in cited:
            continue
        lines += [
            f"  - id: {fact.id}",
            f"    fact: {_quoted(fact.text)}",
            f"    quote: {_quoted(fact.citation.quote)}",
            f"    paragraph: {fact.citation.paragraph}",
        ]
    (directory / "facts.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return next(iter(knowledge.qas.values())).question, dropped


def prepare_100k(directory: Path, cache: Path, size: int) -> dict[str, Any]:
    """Run in a child process: write the knowledge, fill the vector cache with
    pseudo-random unit vectors, then build and save the matcher once."""
    from bot.knowledge.loader import KnowledgeError
    from bot.matching import vectors
    from bot.matching.compiled import load_matcher

    started = time.perf_counter()
    question, dropped = write_synthetic(directory, size)
    written = time.perf_counter()
    rng = np.random.default_rng(20261206)

    def pseudo_random(texts: Sequence[str]) -> Vectors:
        drawn = rng.standard_normal((len(texts), DIMENSIONS)).astype(np.float32)
        unit: Vectors = drawn / np.linalg.norm(drawn, axis=1, keepdims=True)
        return unit

    vectors._shared = vectors.VectorStore(cache / f"vectors-{MODEL_KEY}.npy", pseudo_random)
    try:
        matcher = load_matcher(directory)
    except KnowledgeError as err:
        shown = "\n".join(str(p) for p in err.problems[:10])
        raise RuntimeError(f"the synthetic knowledge does not load:\n{shown}") from err
    return {
        "size": size,
        "question": question,
        "phrasings": len(matcher.index.phrasing_text),
        "meaning_texts": int(matcher.meaning.matrix.shape[0]),
        "phrasings_dropped": dropped,
        "write_s": round(written - started, 1),
        "first_build_s": round(time.perf_counter() - written, 1),
    }


def questions_at_size(directory: Path, count: int) -> dict[str, Any]:
    """Run in a child process: per-question time on the saved synthetic matcher, against
    the product the exact search could not avoid (every text's cosine) for the same
    questions. The knowledge's vectors are pseudo-random (``prepare_100k``), so the answers
    mean nothing; the question's own vector is the model's, and the work is the same."""
    import random

    from benchmarks.synthetic import off_topic, perturb
    from bot.matching.compiled import load_matcher

    matcher = load_matcher(directory)
    rng = random.Random(f"tourbot-startup-questions-{count}")
    qas = list(matcher.knowledge.qas.values())
    questions = [
        perturb(rng.choice((qa.question, *qa.phrasings)), rng)
        if rng.random() < 0.8
        else off_topic(rng)
        for qa in rng.sample(qas, count)
    ]
    for question in questions[:10]:  # warm: the typo cache, wordfreq's list
        matcher.ask(question)
    asked, product = [], []
    matrix = matcher.meaning.matrix
    for question in questions:
        start = time.perf_counter()
        matcher.ask(question)
        asked.append(time.perf_counter() - start)
        (vector,) = matcher.store.encode([question])
        start = time.perf_counter()
        _ = matrix @ vector
        product.append(time.perf_counter() - start)
    return {
        "questions": count,
        "approximate": matcher.meaning.clusters is not None,
        "ask_median_ms": _ms(statistics.median(asked)),
        "ask_p99_ms": _ms(_p99(asked)),
        "exact_product_median_ms": _ms(statistics.median(product)),
        "exact_product_p99_ms": _ms(_p99(product)),
    }


def bench_restart(size: int, repeats: int, work: Path) -> dict[str, Any]:
    cache = work / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    for model in cache_dir().glob(f"{MODEL_KEY}-int8.onnx"):
        link = cache / model.name
        if not link.exists():
            link.symlink_to(model)
    directory = work / f"synthetic-{size}"
    env = dict(os.environ, **{CACHE_ENV: str(cache)})
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    info_file = work / f"synthetic-{size}.json"
    if not info_file.exists():
        prepare = [sys.executable, "-m", "benchmarks.startup", "--prepare", str(size)]
        prepare += ["--work", str(work)]
        subprocess.run(prepare, cwd=ROOT, env=env, check=True)
    info: dict[str, Any] = json.loads(info_file.read_text(encoding="utf-8"))
    ask = [sys.executable, "-m", "bot", "ask", "--knowledge", str(directory), "--json"]
    load = (
        "import time, sys; from pathlib import Path; start = time.perf_counter(); "
        "from bot.matching.compiled import load_matcher; "
        f"m = load_matcher(Path({str(directory)!r})); "
        "print(time.perf_counter() - start)"
    )
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "tourbot ask --knowledge": [*ask, info["question"]],
    }
    result = _alternate(commands, repeats, env)
    loads = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", load], cwd=ROOT, env=env, capture_output=True, check=True
        )
        loads.append(float(done.stdout.decode().strip().splitlines()[-1]))
    result["imports_and_load_matcher_median_ms"] = _ms(statistics.median(loads))
    result["ratio"] = round(
        result["tourbot ask --knowledge"]["median_ms"] / result["python -c pass"]["median_ms"], 1
    )
    result["saved_bytes"] = sum(p.stat().st_size for p in cache.glob("matcher-*"))
    ask_questions = [sys.executable, "-m", "benchmarks.startup", "--questions", str(directory)]
    done = subprocess.run(ask_questions, cwd=ROOT, env=env, capture_output=True, check=True)
    result["per_question"] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return info | result


def run(args: argparse.Namespace) -> dict[str, Any]:
    quick = args.quick
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "commit": _commit()}
    results["cold_start"] = bench_cold_start(2 if quick else args.repeats)
    results["reload"] = bench_reload(2 if quick else 7)
    results["answers_during_reload"] = bench_answers_during_reload(1 if quick else 3)
    results["answers_during_unchanged_reload"] = bench_answers_during_reload(
        1 if quick else 3, edit=False
    )
    if not quick:
        results["answers_during_reload_built_in_process"] = bench_answers_during_reload(
            3, in_child=False
        )
    if not args.skip_100k and not quick:
        work = args.work or Path(tempfile.gettempdir()) / "tourbot-startup-bench"
        results["restart_100k"] = bench_restart(args.size, args.repeats_100k, work)
    return results


def _commit() -> str | None:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or None


def render(results: dict[str, Any]) -> str:
    lines = [f"startup benchmarks, {results['date']}, commit {results['commit']}"]
    cold = results["cold_start"]
    lines.append(
        f"cold ask: {cold['tourbot ask']['median_ms']} ms median "
        f"(max {cold['tourbot ask']['max_ms']}), python -c pass "
        f"{cold['python -c pass']['median_ms']} ms: {cold['ratio']}x"
    )
    lines.append("reload: " + json.dumps(results["reload"]))
    lines.append("answers during reload: " + json.dumps(results["answers_during_reload"]))
    unchanged = results["answers_during_unchanged_reload"]
    lines.append("answers during unchanged reload: " + json.dumps(unchanged))
    if "answers_during_reload_built_in_process" in results:
        here = results["answers_during_reload_built_in_process"]
        lines.append("answers during reload, built in process: " + json.dumps(here))
    if "restart_100k" in results:
        lines.append("restart 100k: " + json.dumps(results["restart_100k"]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-100k", action="store_true")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--repeats-100k", type=int, default=5)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=None, help="where the 100k files go")
    parser.add_argument("--prepare", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--questions", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    if args.questions is not None:  # another child process of bench_restart
        print(json.dumps(questions_at_size(args.questions, 300)))
        return 0
    if args.prepare is not None:  # the child process of bench_restart
        work = args.work
        info = prepare_100k(
            work / f"synthetic-{args.prepare}", Path(os.environ[CACHE_ENV]), args.prepare
        )
        (work / f"synthetic-{args.prepare}.json").write_text(json.dumps(info), encoding="utf-8")
        print(json.dumps(info))
        return 0
    results = run(args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
