"""Read YAML with line numbers, so every validation error can point at file and line.

``yaml.safe_load`` throws positions away, so we compose the document with the safe loader
and convert the node tree ourselves, remembering where each value started. Only plain
data (mappings, sequences, scalars) comes out; no tags are ever constructed into objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a knowledge file, phrased for a moderator."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(slots=True)
class YamlDoc:
    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int:
        """Line of the value at ``path``, falling back to its nearest located parent."""
        key: PathKey = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _scalar(node: yaml.Node, doc: YamlDoc) -> Any:
    try:
        return yaml.SafeLoader("").construct_object(node)
    except yaml.constructor.ConstructorError as err:
        reason = f"unsupported YAML value ({err.problem}); use plain text, numbers and lists"
        raise YamlProblem(Problem(doc.file, node.start_mark.line + 1, reason)) from err


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)


def _convert(node: yaml.Node, path: PathKey, doc: YamlDoc) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        reason = f"unsupported YAML value (tag {node.tag}); use plain text, numbers and lists"
        raise YamlProblem(Problem(doc.file, node.start_mark.line + 1, reason))
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, doc)
            if isinstance(key, list | dict):
                raise YamlProblem(
                    Problem(doc.file, key_node.start_mark.line + 1, "a key must be plain text")
                )
            if key in result:
                raise YamlProblem(
                    Problem(
                        doc.file,
                        key_node.start_mark.line + 1,
                        f"the key {key!r} appears twice in the same block",
                    )
                )
            result[key] = _convert(value_node, (*path, str(key)), doc)
            # A field's problems are reported where its key is written.
            doc.lines[(*path, str(key))] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc) for i, item in enumerate(node.value)]
    return _scalar(node, doc)


def parse_yaml(text: str, file: str) -> YamlDoc:
    doc = YamlDoc(file=file, data=None)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = f"this is not valid YAML: {err.problem or err.context}"
        raise YamlProblem(Problem(file, line, reason)) from err
    except yaml.YAMLError as err:
        raise YamlProblem(Problem(file, 1, f"this is not valid YAML: {err}")) from err
    if node is not None:
        doc.data = _convert(node, (), doc)
    return doc


def load_yaml(path: Path, display_name: str | None = None) -> YamlDoc:
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise YamlProblem(Problem(name, 1, f"the file is not UTF-8 text ({err.reason})")) from err
    return parse_yaml(text, name)
