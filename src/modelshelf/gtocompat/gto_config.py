"""The ``.gto`` registry config: which stages and types are allowed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.grammar import is_valid_name

CONFIG_FILE = ".gto"


class ConfigError(ValueError):
    """A ``.gto`` file that cannot be used."""


@dataclass(frozen=True)
class RegistryConfig:
    stages: tuple[str, ...] | None = None  # None: any stage is allowed
    types: tuple[str, ...] | None = None

    def check_stage(self, stage: str) -> None:
        if self.stages is not None and stage not in self.stages:
            raise ConfigError(f"stage '{stage}' is not allowed by .gto; allowed: {', '.join(self.stages)}")

    def check_type(self, type_: str) -> None:
        if self.types is not None and type_ not in self.types:
            raise ConfigError(f"type '{type_}' is not allowed by .gto; allowed: {', '.join(self.types)}")


def parse_config(text: str | bytes, origin: str = CONFIG_FILE) -> RegistryConfig:
    import yaml  # only repos with a .gto file pay for it

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        from ..metadata.parse import describe_parse_error

        raise ConfigError(f"{origin}: {describe_parse_error(exc)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a mapping with 'stages' and/or 'types'")

    def names(key: str) -> tuple[str, ...] | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and is_valid_name(v) for v in value):
            raise ConfigError(f"{origin}: '{key}' must be a list of names (letters, digits, '-', '_', '/')")
        return tuple(value)

    return RegistryConfig(stages=names("stages"), types=names("types"))


def load_config(root: Path, head_blob: bytes | None = None) -> RegistryConfig:
    """``.gto`` from the work tree (as GTO reads it), else from HEAD (bare repos)."""
    path = root / CONFIG_FILE
    if path.is_file():
        return parse_config(path.read_bytes(), str(path))
    if head_blob is not None:
        return parse_config(head_blob, f"{CONFIG_FILE} at HEAD")
    return RegistryConfig()
