"""A version's DVC lineage as a Mermaid flowchart: inputs -> stages -> the model.

Node ids are generated (``n0``, ``n1``, ...), never taken from the repo, and
every label is quoted with the characters Mermaid interprets written as its
entity codes, so paths, stage names and commands can not change the diagram
(or its config, through ``%%{init}%%`` directives).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .units import human_size

_MAX_LABEL = 80
# Order matters: '#' first, since the replacements themselves use '#'.
_ENTITIES = (("#", "#35;"), ("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("%", "#37;"))


def mermaid_text(text: str) -> str:
    """Repo text for a quoted Mermaid label: one line, no backticks, entities for the rest."""
    text = " ".join(str(text).replace("`", "").split())
    if len(text) > _MAX_LABEL:
        text = text[: _MAX_LABEL - 1] + "\u2026"
    for char, entity in _ENTITIES:
        text = text.replace(char, entity)
    return text


def _file_detail(entry: dict) -> str:
    """``md5[:8] · size`` (and file count for directories), as far as known."""
    parts = []
    md5 = entry.get("md5")
    if isinstance(md5, str) and md5:
        parts.append(md5[:8])
    size = human_size(entry.get("size"))
    if size:
        parts.append(size)
    nfiles = entry.get("nfiles")
    if isinstance(nfiles, int) and not isinstance(nfiles, bool):
        parts.append(f"{nfiles} files")
    return " · ".join(parts)


def _label(*lines: str) -> str:
    """Escaped lines joined by Mermaid line breaks (the only markup we write)."""
    return "<br/>".join(mermaid_text(line) for line in lines if line)


@dataclass
class _Graph:
    lines: list[str] = field(default_factory=list)
    ids: dict[tuple, str] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)

    def node(self, key: tuple, shape: str, label: str) -> str:
        if key not in self.ids:
            node_id = f"n{len(self.ids)}"
            self.ids[key] = node_id
            opening, closing = shape.split("|")
            self.lines.append(f'    {node_id}{opening}"{label}"{closing}')
        return self.ids[key]

    def edge(self, source: str, target: str) -> None:
        if (source, target) not in self.edges:
            self.edges.add((source, target))
            self.lines.append(f"    {source} --> {target}")


def _model_output(stage: dict, storage: dict) -> dict | None:
    """The producing stage's output that is the model file (by path), else its only output."""
    outs = [o for o in stage.get("outs") or [] if isinstance(o, dict)]
    path = storage.get("path") if isinstance(storage, dict) else None
    if path:
        for out in outs:
            out_path = str(out.get("path", ""))
            if out_path and (path == out_path or path.endswith("/" + out_path)):
                return out
    return outs[0] if len(outs) == 1 else None


def mermaid_lineage(model_name: str, version: dict) -> str | None:
    """``flowchart LR`` of dependencies -> stages -> the model, or None without lineage.

    Outputs are drawn only where a later stage consumes them; the producing
    stage (the last one) points at the model node, labelled with the model
    output's short md5 and the version's short commit sha.
    """
    lineage = version.get("lineage") or {}
    stages = [s for s in lineage.get("stages") or [] if isinstance(s, dict)]
    if not stages:
        return None
    consumed = {
        (str(d.get("path")), d.get("md5")) for s in stages for d in s.get("deps") or [] if isinstance(d, dict)
    }
    graph = _Graph()
    stage_ids = []
    for stage in stages:
        name = str(stage.get("name", "stage"))
        lock = str(stage.get("lock_file") or "dvc.lock")
        where = "" if lock == "dvc.lock" else f"({lock})"
        stage_id = graph.node(("stage", lock, name), "[[|]]", _label(f"stage: {name}", where))
        stage_ids.append(stage_id)
        for dep in stage.get("deps") or []:
            if isinstance(dep, dict):
                key = ("file", str(dep.get("path")), dep.get("md5"))
                file_id = graph.node(key, "[|]", _label(str(dep.get("path", "?")), _file_detail(dep)))
                graph.edge(file_id, stage_id)
        for out in stage.get("outs") or []:
            if isinstance(out, dict) and (str(out.get("path")), out.get("md5")) in consumed:
                key = ("file", str(out.get("path")), out.get("md5"))
                file_id = graph.node(key, "[|]", _label(str(out.get("path", "?")), _file_detail(out)))
                graph.edge(stage_id, file_id)
    model_out = _model_output(stages[-1], version.get("storage") or {})
    commit = str(version.get("commit") or "")[:7]
    name = str(version.get("version") or "")
    name = name[:7] if name == version.get("commit") else name  # a stage on an unregistered commit
    model_id = graph.node(
        ("model",), "([|])",
        _label(f"{model_name} {name}".strip(),
               _file_detail(model_out) if model_out else "", f"commit {commit}" if commit else ""),
    )
    graph.edge(stage_ids[-1], model_id)
    return "\n".join([
        "flowchart LR",
        *graph.lines,
        "    classDef stage fill:#fff3e0,stroke:#ef6c00",
        "    classDef model fill:#e8eaf6,stroke:#3f51b5,stroke-width:2px",
        f"    class {','.join(dict.fromkeys(stage_ids))} stage",
        f"    class {model_id} model",
    ]) + "\n"
