"""The top-level Python API: every advertised name resolves to the real function."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import modelshelf

from .gitutil import GitBuilder


def test_every_public_name_imports() -> None:
    """Each advertised name, imported alone in a fresh interpreter, is a documented function of the
    package or one of its errors (all catchable as ``ModelshelfError``, with an exit code)."""
    code = (
        "import importlib, inspect, json, sys\n"
        "name = sys.argv[1]\n"
        "value = getattr(importlib.import_module('modelshelf'), name)\n"
        "kind = 'error' if inspect.isclass(value) and issubclass(value, Exception) else "
        "'function' if inspect.isfunction(value) else type(value).__name__\n"
        "print(json.dumps([kind, getattr(value, '__module__', ''), bool(inspect.getdoc(value)),"
        " [c.__name__ for c in getattr(value, '__mro__', ())]]))"
    )
    names = [name for name in modelshelf.__all__ if name != "__version__"]
    assert len(names) >= 10 and len(set(names)) == len(names)
    for name in names:
        out = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True)
        assert out.returncode == 0, (name, out.stderr)
        kind, module, documented, mro = json.loads(out.stdout)
        assert module.startswith("modelshelf.") and documented, (name, module)
        if kind == "error":
            assert "ModelshelfError" in mro, (name, mro)
        else:
            assert kind == "function", (name, kind)
    assert isinstance(modelshelf.__version__, str) and modelshelf.__version__.count(".") == 2
    with pytest.raises(AttributeError):
        getattr(modelshelf, "no_such_name")


def test_importing_the_package_is_cheap() -> None:
    code = "import sys, modelshelf; print(sorted(m for m in ('git', 'mkdocs', 'matplotlib', 'ruamel.yaml') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_register_then_resolve_through_the_api(repo: GitBuilder) -> None:
    repo.commit("model", {"model.bin": b"weights"})
    result = modelshelf.register("churn", repo=str(repo.path), version="v1.0.0")
    assert result.tag == "churn@v1.0.0"
    modelshelf.assign("churn", stage="prod", version="v1.0.0", repo=str(repo.path))
    assert modelshelf.load_registry(repo.path).artifact("churn").latest().version == "v1.0.0"
    assert modelshelf.resolve("churn#prod", repo=str(repo.path)).version.version == "v1.0.0"


def test_getting_started_python_snippet_runs(repo: GitBuilder) -> None:
    """The snippet in catalog/getting-started.md, run for real in a repo."""
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "catalog" / "getting-started.md").read_text()
    snippet = page.split("```python\n", 1)[1].split("```", 1)[0]
    repo.commit("model", {"models/churn.pkl": b"weights"})
    import os

    cwd = os.getcwd()
    os.chdir(repo.path)
    try:
        exec(compile(snippet, "getting-started.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert "churn@v0.1.0" in repo.git("tag", "--list")
