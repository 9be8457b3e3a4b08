"""Reading YAML data files (rules, signatures, frameworks, the demo plan) with a *safe* loader.

libyaml's C parser when PyYAML was built with it (about ten times faster on the package's data files,
which every survey and many commands load at start), else PyYAML's pure-Python safe loader: both
build plain mappings, lists and scalars only, never Python objects named by the file.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(stream: str | bytes | IO[str] | IO[bytes]) -> Any:
    """The YAML document in ``stream``; a malformed one raises :class:`yaml.YAMLError` as ``yaml.safe_load`` does."""
    return yaml.load(stream, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader (C or Python)
