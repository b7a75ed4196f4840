"""Per-version work follows that version's own files, not the number of models declared beside it."""

from __future__ import annotations

from modelshelf.metadata.memory import MemorySource
from modelshelf.metadata.reader import MetadataReader


class CountingSource(MemorySource):
    """A MemorySource that counts the path lookups the reader makes."""

    def __init__(self, commits: dict[str, dict[str, bytes | str]]) -> None:
        super().__init__(commits)
        self.lookups = 0

    def blob_info(self, commit: str, path: str):
        self.lookups += 1
        return super().blob_info(commit, path)

    def is_dir(self, commit: str, path: str) -> bool:
        self.lookups += 1
        return super().is_dir(commit, path)


def _root_layout(models: int) -> dict[str, dict[str, str]]:
    """One root dvc.yaml declaring ``models`` models; its lists name each model's own files."""
    names = [f"m{i:03d}" for i in range(models)]
    dvc = "artifacts:\n" + "".join(f"  model-{n}:\n    path: {n}/model.bin\n" for n in names)
    dvc += "metrics:\n" + "".join(f"- {n}/metrics.json\n" for n in names)
    dvc += "params:\n" + "".join(f"- {n}/params.yaml\n" for n in names)
    files = {"dvc.yaml": dvc}
    for i, n in enumerate(names):
        files[f"{n}/model.bin"] = f"weights {i}"
        files[f"{n}/metrics.json"] = f'{{"auc": 0.{i + 1}}}'
        files[f"{n}/params.yaml"] = f"lr: {i}\n"
    return {"c1": files}


def _lookups_for_one_version(models: int) -> tuple[int, dict]:
    source = CountingSource(_root_layout(models))
    reader = MetadataReader(source)
    reader.declarations("c1")  # parsing the declarations is per blob, not per version: not counted
    source.lookups = 0
    meta = reader.version("c1", "model-m002")
    return source.lookups, meta.metrics


def test_a_versions_lookups_do_not_grow_with_the_models_declared_beside_it() -> None:
    few, metrics_few = _lookups_for_one_version(5)
    many, metrics_many = _lookups_for_one_version(200)
    assert metrics_few == metrics_many == {"auc": 0.3}
    assert many == few  # the old reader resolved the folder of every declared model: ~200 more


def test_each_model_gets_its_own_files_in_a_root_dvc_yaml() -> None:
    reader = MetadataReader(MemorySource(_root_layout(50)))
    for i in (0, 17, 49):
        meta = reader.version("c1", f"model-m{i:03d}")
        assert meta.metrics == {"auc": float(f"0.{i + 1}")}
        assert meta.params == {"lr": i}
        assert [s.path for s in meta.metric_sources] == [f"m{i:03d}/metrics.json"]
