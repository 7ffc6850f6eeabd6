"""The ``tourbot`` command line: ask, check, eval, and run the Discord bot.

Everything but ``run`` works offline with no token, so the knowledge can be checked in CI
and answers can be tried from a shell before they reach a Discord channel.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from bot.knowledge.loader import TAUGHT_FILE, Knowledge, KnowledgeError, load_knowledge
from bot.knowledge.paths import default_knowledge_dir
from bot.knowledge.sources import ARTICLE_ID
from bot.knowledge.teach import NewEntry, TeachError, add, teach, untaught
from bot.matching.answer import Answer, Outcome, no_guess
from bot.matching.compiled import load_matcher
from bot.matching.evaluation import LabelledSetError, evaluate, load_labelled
from bot.matching.matcher import Matcher
from bot.matching.questions import QuestionError, clean_message
from bot.moderation.questionlog import QuestionLog
from bot.moderation.unanswered import LOW_CONFIDENCE, group_similar
from bot.settings import HEARTBEAT_FILE

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _load(directory: Path | None) -> Knowledge:
    return load_knowledge(directory or default_knowledge_dir())


def render_text(answer: Answer, knowledge: Knowledge) -> str:
    if answer.outcome is Outcome.SMALL_TALK and answer.reply is not None:
        return answer.reply
    if len(answer.parts) > 1:
        return "\n\n".join(_render_one(part, knowledge) for part in answer.parts)
    return _render_one(answer, knowledge)


def _render_one(answer: Answer, knowledge: Knowledge) -> str:
    if answer.outcome is Outcome.ANSWERED and answer.text is not None:
        lines = [answer.text, ""]
        titles: list[str] = []
        for number, citation in enumerate(answer.citations, start=1):
            where = f"paragraph {citation.paragraph}"
            if citation.source != ARTICLE_ID:
                where = f"{citation.source}, {where}"
            lines.append(f'  [{number}] "{citation.quote}" ({where})')
            title = citation.title or knowledge.article.title
            title += f" <{citation.url}>" if citation.url else ""
            if title not in titles:
                titles.append(title)
        for title in titles or [knowledge.article.title]:
            lines.append(f"  Source: {title}")
        lines.append(f"  (confidence {answer.confidence:.0f})")
        return "\n".join(lines)
    offered = [f"  {n}. {s.question}" for n, s in enumerate(answer.suggestions, start=1)]
    if answer.outcome is Outcome.SUGGESTED:
        return "\n".join(["I'm not sure what you mean. Did you mean:", *offered])
    if answer.note is not None:
        lines = [f"{answer.note} {no_guess(knowledge.several_sources)}"]
        if offered:
            lines += ["Related questions I can answer:", *offered]
        return "\n".join(lines)
    return (
        "Sorry, the article doesn't say. I can only answer questions about "
        f'"{knowledge.article.title}": when and where the tour was, who organised it, '
        "which countries and companies took part, what was learned and what happens next."
    )


def _batch_lines(source: str) -> Iterator[str]:
    stream: TextIO
    if source == "-":
        yield from (line.rstrip("\n") for line in sys.stdin)
        return
    with open(source, encoding="utf-8") as stream:
        yield from (line.rstrip("\n") for line in stream)


def _cmd_ask(args: argparse.Namespace) -> int:
    if args.batch is None and not args.question:
        print(
            "tourbot ask: give a question, e.g. tourbot ask 'when was the tour?'", file=sys.stderr
        )
        return EXIT_USAGE
    if args.batch is None:
        try:
            question = clean_message(" ".join(args.question))
        except QuestionError as err:
            print(f"tourbot ask: {err}", file=sys.stderr)
            return EXIT_USAGE
    # Loaded whole when this knowledge was built before (bot.matching.compiled): a start
    # then reads one saved matcher instead of validating and indexing every file.
    matcher = load_matcher(args.knowledge or default_knowledge_dir())
    knowledge = matcher.knowledge
    if args.batch is None:
        answer = matcher.ask(question)
        if args.log:
            _log_question(question, answer)
        print(
            json.dumps(answer.to_json(), ensure_ascii=False)
            if args.json
            else render_text(answer, knowledge)
        )
        return EXIT_OK
    if not args.json:
        print("tourbot ask: --batch needs --json (one JSON object per line)", file=sys.stderr)
        return EXIT_USAGE
    try:
        for line in _batch_lines(args.batch):
            try:
                asked = clean_message(line)
                answer = matcher.ask(asked)
                if args.log:
                    _log_question(asked, answer)
                payload = answer.to_json()
            except QuestionError as err:
                payload = Answer(Outcome.ABSTAINED, 0.0).to_json() | {"error": str(err)}
            print(json.dumps(payload, ensure_ascii=False), flush=True)
    except OSError as err:
        print(f"tourbot ask: cannot read {args.batch}: {err.strerror}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _database() -> Path:
    return Path(os.environ.get("TOURBOT_DATABASE", "data/tourbot.sqlite3"))


def _log_question(question: str, answer: Answer) -> None:
    """Record a command-line question like one from Discord (source "cli"), so
    ``tourbot unanswered`` can be tried, and used, without a bot running."""
    log = QuestionLog(_database())
    try:
        log.record(question, answer, "cli")
    finally:
        log.close()


def _cmd_check(args: argparse.Namespace) -> int:
    directory = args.directory or default_knowledge_dir()
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        count = len(err.problems)
        print(f"{count} problem{'s' if count != 1 else ''} in {directory}", file=sys.stderr)
        return EXIT_FAILED
    for warning in knowledge.warnings:
        print(warning, file=sys.stderr)
    phrasings = sum(len(knowledge.phrasings(qa)) for qa in knowledge.qas.values())
    print(
        f"OK: {directory}: {len(knowledge.facts)} facts, {len(knowledge.qas)} Q&As, "
        f"{phrasings} phrasings ({len(knowledge.taught)} taught), "
        f"{len(knowledge.gaps)} gaps, {len(knowledge.synonyms)} synonyms, "
        f"{max(1, len(knowledge.sources))} source(s)"
        + (f"; {len(knowledge.warnings)} warning(s) above" if knowledge.warnings else "")
    )
    return EXIT_OK


def _cmd_eval(args: argparse.Namespace) -> int:
    try:
        items = load_labelled(args.file)
    except (OSError, LabelledSetError) as err:
        print(f"tourbot eval: {err}", file=sys.stderr)
        return EXIT_USAGE
    knowledge = _load(args.knowledge)
    report = evaluate(Matcher(knowledge).ask, items, knowledge)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
        return EXIT_OK
    totals = report.totals
    print(f"questions: {sum(totals.values())} ({', '.join(f'{k} {v}' for k, v in totals.items())})")
    print(f"in-scope answered correctly: {report.in_scope_accuracy:.1%}")
    for verdict in ("wrong", "suggested", "abstained"):
        print(f"  {verdict}: {report.counts[('in_scope', verdict)]}")
    print(f"  (the right one offered as a suggestion: {report.counts[('in_scope', 'offered')]})")
    print(f"in-scope answered or offered: {report.in_scope_reachable:.1%}")
    print(f"near-miss + out-of-scope not answered: {report.out_of_scope_held_back:.1%}")
    for kind in ("near_miss", "out_of_scope"):
        parts = [f"{v} {report.counts[(kind, v)]}" for v in ("answered", "suggested", "abstained")]
        print(f"  {kind}: {', '.join(parts)}")
    if report.confusion:
        print("confusion (expected -> answered):")
        for (expected, got), count in report.confusion.most_common():
            print(f"  {expected} -> {got}: {count}")
    if args.verbose and report.misses:
        print("misses:")
        for miss in report.misses:
            print(
                f"  [{miss.outcome} {miss.confidence:.0f}] {miss.question!r}"
                f" expect={miss.expect} got={miss.got}"
            )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tourbot",
        description="Answer questions about the EV study tour article, with citations.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question offline from the knowledge files")
    ask.add_argument("question", nargs="*", help="the question (quote it or not)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--batch", metavar="FILE", help="one question per line ('-' for stdin)")
    ask.add_argument("--knowledge", type=Path, help="knowledge directory")
    ask.add_argument(
        "--log",
        action="store_true",
        help="record the question in the question log (TOURBOT_DATABASE), as the bot does",
    )
    ask.set_defaults(func=_cmd_ask)

    check = sub.add_parser("check", help="validate the knowledge files")
    check.add_argument("directory", nargs="?", type=Path, help="knowledge directory")
    check.set_defaults(func=_cmd_check)

    ev = sub.add_parser("eval", help="accuracy and abstention on a labelled question set")
    ev.add_argument("file", type=Path)
    ev.add_argument("--knowledge", type=Path)
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    ev.set_defaults(func=_cmd_eval)

    unanswered = sub.add_parser(
        "unanswered", help="most frequent unanswered questions from the log"
    )
    unanswered.add_argument("--days", type=int, default=7)
    unanswered.add_argument(
        "--database", type=Path, help="question log (default: TOURBOT_DATABASE)"
    )
    unanswered.add_argument("--knowledge", type=Path)
    unanswered.set_defaults(func=_cmd_unanswered)

    teach = sub.add_parser("teach", help="teach a question as another phrasing of a Q&A or a gap")
    teach.add_argument("target", help="the Q&A or gap id, e.g. organisers or gap-ceo")
    teach.add_argument("question", nargs="+", help="the question as people ask it")
    teach.add_argument("--by", default=os.environ.get("USER", "cli"), help="who is teaching")
    teach.add_argument(
        "--undo", action="store_true", help="remove this taught phrasing from the target"
    )
    teach.add_argument("--knowledge", type=Path)
    teach.set_defaults(func=_cmd_teach)

    untaught_ = sub.add_parser("untaught", help="remove a phrasing taught with teach")
    untaught_.add_argument("question", nargs="+", help="the taught phrasing")
    untaught_.add_argument("--target", help="only from this Q&A or gap id")
    untaught_.add_argument("--by", default=os.environ.get("USER", "cli"))
    untaught_.add_argument("--knowledge", type=Path)
    untaught_.set_defaults(func=_cmd_untaught)

    add_ = sub.add_parser(
        "add",
        help="add a Q&A backed by a quote (asks for what is missing)",
        description=(
            "Append a fact (the quote) and a Q&A citing it to facts.yaml and qa.yaml, "
            "after checking the whole knowledge base. Missing values are asked for."
        ),
    )
    add_.add_argument("--question", help="the question, as people would ask it")
    add_.add_argument("--answer", help="the answer the bot gives")
    add_.add_argument("--source", help="the source id (default: article)")
    add_.add_argument("--quote", help="words copied exactly from the source")
    add_.add_argument(
        "--phrasing", action="append", default=[], help="another way of asking (repeatable)"
    )
    add_.add_argument("--id", help="the Q&A id (default: made from the question)")
    add_.add_argument("--paragraph", type=int, help="the paragraph (default: found)")
    add_.add_argument("--by", default=os.environ.get("USER", "cli"))
    add_.add_argument("--knowledge", type=Path)
    add_.set_defaults(func=_cmd_add)

    seed = sub.add_parser(
        "seed",
        help="copy the shipped knowledge into an empty knowledge directory (Docker volume)",
    )
    seed.add_argument("directory", nargs="?", type=Path, help="default: TOURBOT_KNOWLEDGE_DIR")
    seed.add_argument("--from", dest="origin", type=Path, help="default: the shipped knowledge")
    seed.set_defaults(func=_cmd_seed)

    health = sub.add_parser("health", help="exit 0 if a running bot touched its heartbeat recently")
    health.add_argument("--max-age", type=float, default=90.0, help="seconds (default 90)")
    health.set_defaults(func=_cmd_health)

    run = sub.add_parser("run", help="start the Discord bot (settings from the environment / .env)")
    run.set_defaults(func=_cmd_run)
    return parser


def _cmd_unanswered(args: argparse.Namespace) -> int:
    path = args.database or _database()
    if not path.exists():
        print(f"tourbot unanswered: no question log at {path}", file=sys.stderr)
        return EXIT_USAGE
    knowledge = _load(args.knowledge)
    log = QuestionLog(path)
    try:
        rows = log.unanswered(time.time() - max(1, args.days) * 86400, LOW_CONFIDENCE)
    finally:
        log.close()
    groups = group_similar(rows, knowledge.normaliser().normalise)
    if not groups:
        print(f"Nothing unanswered in the last {args.days} day(s).")
    for group in groups:
        others = [w for w in group.wordings if w != group.example]
        print(f"{group.count:4d}x  {group.example}  (best confidence {group.best_confidence:.0f})")
        for wording in others[:5]:
            print(f"        also: {wording}")
    return EXIT_OK


def _cmd_teach(args: argparse.Namespace) -> int:
    directory = args.knowledge or default_knowledge_dir()
    question = " ".join(args.question)
    if args.undo:
        return _untaught(directory, question, f"{args.by} (cli)", args.target, "teach --undo")
    try:
        entry = teach(directory, args.target, question, f"{args.by} (cli)")
    except TeachError as err:
        for problem in err.problems:
            print(f"tourbot teach: {problem}", file=sys.stderr)
        return EXIT_FAILED
    except QuestionError as err:
        print(f"tourbot teach: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(f"taught: {entry.phrasing!r} -> {entry.qa} (written to {directory / TAUGHT_FILE})")
    return EXIT_OK


def _cmd_untaught(args: argparse.Namespace) -> int:
    directory = args.knowledge or default_knowledge_dir()
    return _untaught(directory, " ".join(args.question), f"{args.by} (cli)", args.target)


def _untaught(
    directory: Path, phrasing: str, by: str, target: str | None, name: str = "untaught"
) -> int:
    try:
        removed = untaught(directory, phrasing, by, target)
    except TeachError as err:
        for problem in err.problems:
            print(f"tourbot {name}: {problem}", file=sys.stderr)
        return EXIT_FAILED
    for entry in removed:
        print(f"untaught: {entry.phrasing!r} -> {entry.qa} (written to {directory / TAUGHT_FILE})")
    return EXIT_OK


def _ask_for(value: str | None, prompt: str, default: str | None = None) -> str:
    """A flag's value, or the answer to a prompt when it was not given (stdin)."""
    if value is not None:
        return value
    suffix = f" [{default}]" if default else ""
    print(f"{prompt}{suffix}: ", end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not line:
        raise QuestionError(f"no {prompt.lower()} given")
    return line.strip() or (default or "")


def _cmd_add(args: argparse.Namespace) -> int:
    directory = args.knowledge or default_knowledge_dir()
    try:
        new = NewEntry(
            question=_ask_for(args.question, "Question"),
            answer=_ask_for(args.answer, "Answer"),
            source=_ask_for(args.source, "Source id", "article"),
            quote=_ask_for(args.quote, "Quote (copied exactly from the source)"),
            phrasings=tuple(args.phrasing),
            id=args.id,
            paragraph=args.paragraph,
        )
        added = add(directory, new, f"{args.by} (cli)")
    except TeachError as err:
        for problem in err.problems:
            print(f"tourbot add: {problem}", file=sys.stderr)
        return EXIT_FAILED
    except QuestionError as err:
        print(f"tourbot add: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"added: Q&A {added.qa_id!r} citing {added.fact_id!r} "
        f"({added.source}, paragraph {added.paragraph}); a running bot picks it up "
        "within seconds"
    )
    return EXIT_OK


def _cmd_seed(args: argparse.Namespace) -> int:
    from bot.knowledge.seed import SeedError, seed_knowledge

    target = args.directory or default_knowledge_dir()
    try:
        copied = seed_knowledge(target, args.origin)
    except SeedError as err:
        print(f"tourbot seed: {err}", file=sys.stderr)
        return EXIT_FAILED
    if copied:
        print(f"seeded {target} with {len(copied)} shipped file(s)")
    else:
        print(f"{target} already has knowledge; left as it is")
    return EXIT_OK


def _cmd_health(args: argparse.Namespace) -> int:
    path = Path(os.environ.get("TOURBOT_HEARTBEAT_FILE", "") or HEARTBEAT_FILE)
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        print(f"unhealthy: no heartbeat at {path}", file=sys.stderr)
        return EXIT_FAILED
    if age > args.max_age:
        print(f"unhealthy: last heartbeat {age:.0f}s ago", file=sys.stderr)
        return EXIT_FAILED
    print(f"healthy: last heartbeat {age:.0f}s ago")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.frontend.runner import run  # imports discord.py only when the bot is started
    from bot.knowledge.seed import SHIPPED_ENV, SeedError, seed_knowledge

    if os.environ.get(SHIPPED_ENV):  # the Docker image: a new volume starts empty
        try:
            seed_knowledge(default_knowledge_dir())
        except SeedError as err:
            print(f"tourbot run: {err}", file=sys.stderr)
            return EXIT_FAILED

    return run()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KnowledgeError as err:
        print("tourbot: the knowledge files have problems (run 'tourbot check'):", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``tourbot ask --json ... | head``): nothing left to say.
        # Point stdout at nothing so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
