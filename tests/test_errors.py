"""One error hierarchy: every exception class modelshelf defines derives from
``ModelshelfError`` and carries the exit code the CLI's one handler exits with."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import modelshelf
from modelshelf.core.errors import EXIT_FAILED, EXIT_USAGE, ModelshelfError

from .gitutil import GitBuilder, ms

PACKAGE = Path(modelshelf.__file__).resolve().parent


def defined_exceptions() -> list[type]:
    """Every class in the package's source whose name ends in Error/Exception or that
    derives (by its source) from an exception class."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "assets" in path.relative_to(PACKAGE).parts:
            continue
        module_name = ".".join(("modelshelf", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        tree = ast.parse(path.read_text())
        names = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
        if not names:
            continue
        module = importlib.import_module(module_name)
        found += [cls for name in names if isinstance(cls := getattr(module, name), type) and issubclass(cls, BaseException)]
    return found


def test_every_exception_class_of_the_package_is_a_modelshelf_error() -> None:
    classes = defined_exceptions()
    names = {cls.__name__ for cls in classes}
    assert {"CliError", "ConfigError", "DeclareError", "NotAGitRepo", "GitError", "WriteError",
            "DownloadError", "InvalidName", "InvalidVersion", "ScaffoldError", "CompareError"} <= names
    # SIGTERM takes KeyboardInterrupt's path (Terminated), and a warning is no error
    outside = [f"{cls.__module__}.{cls.__name__}" for cls in classes
               if not issubclass(cls, (KeyboardInterrupt, Warning, ModelshelfError))]
    assert not outside, outside
    assert all(cls.exit_code in (EXIT_FAILED, EXIT_USAGE) for cls in classes if issubclass(cls, ModelshelfError))


def test_exit_codes_stay_what_each_error_meant() -> None:
    from modelshelf.delivery import errors as download
    from modelshelf.sitebuild.zensical_build import BuilderFailed

    assert download.DownloadError.exit_code == download.TransferFailed.exit_code == EXIT_FAILED
    assert download.LookupFailed.exit_code == download.DestinationExists.exit_code == EXIT_USAGE
    assert BuilderFailed.exit_code == EXIT_FAILED
    assert modelshelf.WriteError.exit_code == modelshelf.DeclareError.exit_code == EXIT_USAGE


def test_the_write_errors_are_public_and_catchable_as_one(repo: GitBuilder) -> None:
    repo.commit("model", {"model.bin": b"weights"})
    modelshelf.register("churn", repo=str(repo.path), version="v1.0.0")
    with pytest.raises(modelshelf.ModelshelfError) as caught:
        modelshelf.register("churn", repo=str(repo.path), version="v1.0.0")
    assert isinstance(caught.value, modelshelf.WriteError) and caught.value.exit_code == EXIT_USAGE
    with pytest.raises(modelshelf.DeclareError):
        modelshelf.add_artifact("churn", path="../outside.bin", repo=str(repo.path))


def test_errors_from_every_command_group_take_the_one_handler(repo: GitBuilder, tmp_path: Path) -> None:
    """One line, ``modelshelf: error: ...``, the error's exit code: read, write and download commands."""
    repo.commit("model", {"model.bin": b"weights"})
    plain = tmp_path / "plain"
    plain.mkdir()
    cases = [
        (("show", "-r", str(plain)), EXIT_USAGE, "not"),  # not a Git repository
        (("register", "bad name!"), EXIT_USAGE, "bad name!"),  # the grammar's InvalidName
        (("resolve", "nothing", "--repo", str(repo.path)), EXIT_USAGE, "nothing"),
    ]
    for args, code, quoted in cases:
        result = ms(repo, *args, check=False)
        assert result.returncode == code, (args, result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("modelshelf: error: ") and quoted in lines[0], (args, result.stderr)


def test_the_error_base_costs_nothing_to_import() -> None:
    code = "import sys, modelshelf; modelshelf.ModelshelfError; print(sorted(m for m in sys.modules if m.startswith('modelshelf')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(sorted(["modelshelf", "modelshelf.core", "modelshelf.core.errors"]))
