"""What a repository says about its models at any commit.

Declarations (``dvc.yaml`` ``artifacts:``, legacy ``artifacts.yaml``), metrics,
params, ``dvc.lock`` lineage, storage and model cards, read through a
``BlobSource`` (``GitRepo`` is one). Bad repo content never raises: it is
reported as ``MetadataProblem``s naming the file and commit. Values that are
fine in the file but cannot go into the JSON index (NaN, infinities) become
``MetadataNotice``s: reported by ``doctor``, never build warnings.
"""

from .memory import MemorySource
from .model import (
    ArtifactDecl,
    Declarations,
    FileHash,
    JSONValue,
    Lineage,
    LineageStage,
    MetadataNotice,
    MetadataProblem,
    ModelCard,
    Scalar,
    Storage,
    ValueSource,
    VersionMetadata,
)
from .reader import (
    MetadataReader,
    read_declarations,
    read_version_metadata,
    reader_for,
)
from .source import BlobInfo, BlobSource, TreeEntry

__all__ = [
    "ArtifactDecl", "BlobInfo", "BlobSource", "Declarations", "FileHash", "JSONValue", "Lineage",
    "LineageStage", "MemorySource", "MetadataNotice", "MetadataProblem", "MetadataReader", "ModelCard", "Scalar",
    "Storage", "TreeEntry", "ValueSource", "VersionMetadata",
    "read_declarations", "read_version_metadata", "reader_for",
]
