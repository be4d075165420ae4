"""Where prompt sets live: the built-in sets shipped with the package, and the user's own copies.

Built-in sets (`prompts/` in the source tree, `prep_agent/builtin_prompts` in an installed package,
or `PREP_AGENT_PROMPTS`) are read-only here. Copies the user makes are written to
`$PREP_AGENT_HOME/prompts`, never into the source tree; a copy can be edited again (only if nobody
changed it since it was opened, so another tab's edit is never lost) and deleted (the file is
moved to `prompts/.deleted/`, so a deletion can be undone by hand).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from prep_agent.errors import PromptError
from prep_agent.prompts import (
    MAX_PROMPT_BYTES,
    SAFE_NAME,
    PromptSet,
    PromptSetInfo,
    parse_prompt_set,
)

if TYPE_CHECKING:
    from prep_agent.config import Settings


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class PromptLibrary:
    """Built-in prompt sets plus the user's copies; files are re-read so edits apply at once."""

    def __init__(self, builtin_dir: Path, user_dir: Path | None = None) -> None:
        self.prompts_dir = Path(builtin_dir)
        self.user_dir = Path(user_dir) if user_dir is not None else None
        self._parsed: dict[tuple[Path, str], PromptSet] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> PromptLibrary:
        """The built-in sets of the settings plus the copies under PREP_AGENT_HOME."""
        return cls(settings.prompts_dir, settings.user_prompts_dir)

    def _root(self) -> Path:
        if not self.prompts_dir.is_dir():
            raise PromptError(
                f"Prompts directory {self.prompts_dir} does not exist: create it or set "
                "PREP_AGENT_PROMPTS"
            )
        return self.prompts_dir.resolve()

    def _check_name(self, name: str) -> None:
        if not SAFE_NAME.match(name):
            raise PromptError(
                f"Prompt set name {name!r} is not allowed: use lowercase letters, digits, - and _"
            )

    def _inside(self, root: Path, name: str) -> Path:
        path = root / f"{name}.yaml"
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            raise PromptError(f"{path.name} links outside {root}: copy the file in instead")
        return path

    def _user_path(self, name: str) -> Path:
        if self.user_dir is None:
            raise PromptError("This library has no folder for copies: set PREP_AGENT_HOME")
        return self._inside(self.user_dir, name)

    def is_builtin(self, name: str) -> bool:
        """Whether the name is one of the shipped sets (those are never written to)."""
        self._check_name(name)
        return self._inside(self._root(), name).is_file()

    def path_for(self, name: str) -> Path:
        """The file of a set name (built-in first), refusing anything outside the directories."""
        self._check_name(name)
        builtin = self._inside(self._root(), name)
        if builtin.exists() or self.user_dir is None:
            return builtin
        return self._user_path(name)

    def read_text(self, name: str) -> str:
        """Raw YAML of a set, e.g. to show it for copy-and-edit."""
        path = self.path_for(name)
        if not path.is_file():
            known = ", ".join(info.name for info in self.list() if info.valid) or "none"
            raise PromptError(f"No prompt set {name!r} in {self.prompts_dir}: use one of {known}")
        try:
            size = path.stat().st_size
            if size > MAX_PROMPT_BYTES:
                raise PromptError(f"{path.name}: the file is {size // 1024} KB; a prompt set may "
                                  f"be at most {MAX_PROMPT_BYTES // 1024} KB: shorten it")
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PromptError(f"{path.name}: cannot read it ({exc}): check the file") from exc

    def load(self, name: str) -> PromptSet:
        """Load and validate one set (cached by content hash, so edits are seen at once)."""
        text = self.read_text(name)
        path = self.path_for(name)
        key = (path, _sha(text))
        cached = self._parsed.get(key)
        if cached is None:
            cached = parse_prompt_set(text, path)
            self._parsed = {k: v for k, v in self._parsed.items() if k[0] != path}
            self._parsed[key] = cached
        return cached

    def _paths(self) -> list[tuple[Path, bool]]:
        found = [(p, True) for p in sorted(self._root().glob("*.yaml"))]
        if self.user_dir is not None and self.user_dir.is_dir():
            found += [(p, False) for p in sorted(self.user_dir.glob("*.yaml"))]
        return found

    def list(self) -> list[PromptSetInfo]:
        """Every built-in set, then every copy, valid or not; one bad file never breaks it."""
        infos: list[PromptSetInfo] = []
        builtin_names: set[str] = set()
        for path, builtin in self._paths():
            name = path.stem
            if builtin:
                builtin_names.add(name)
            elif name in builtin_names:
                infos.append(PromptSetInfo(
                    name=name, valid=False, path=path, builtin=False,
                    error=f"{path} has the name of a built-in set, which wins: rename the file"))
                continue
            try:
                ps = self.load(name)
                infos.append(PromptSetInfo(name=name, valid=True, hash=ps.hash, builtin=builtin,
                                           description=ps.description, path=path))
            except PromptError as exc:
                infos.append(PromptSetInfo(name=name, valid=False, error=str(exc), path=path,
                                           builtin=builtin))
            except Exception as exc:  # noqa: BLE001 - one bad file never breaks the listing
                infos.append(PromptSetInfo(
                    name=name, valid=False, path=path, builtin=builtin,
                    error=f"{path.name}: cannot be loaded ({type(exc).__name__}): fix the file"))
        return infos

    def _copy_text(self, source_name: str, new_name: str, yaml_text: str) -> tuple[Path, str]:
        self.path_for(source_name)
        self._check_name(new_name)
        if self.is_builtin(new_name):
            raise PromptError(f"Prompt set {new_name!r} already exists: pick another name")
        path = self._user_path(new_name)
        if path.exists() or path.is_symlink():
            raise PromptError(f"Prompt set {new_name!r} already exists: pick another name")
        # A copy usually still carries the source's name: rename it rather than reject it.
        text = re.sub(rf"(?m)^name:\s*['\"]?{re.escape(source_name)}['\"]?\s*$",
                      f"name: {new_name}", yaml_text, count=1)
        return path, text

    def check_copy(self, source_name: str, new_name: str, yaml_text: str) -> PromptSet:
        """Validate an edited copy exactly as save_copy would, without writing anything."""
        path, text = self._copy_text(source_name, new_name, yaml_text)
        return parse_prompt_set(text, path, label=f"{new_name}.yaml")

    def save_copy(self, source_name: str, new_name: str, yaml_text: str) -> PromptSet:
        """Validate edited YAML and write it as a new copy; never overwrites an existing file."""
        path, text = self._copy_text(source_name, new_name, yaml_text)
        ps = parse_prompt_set(text, path, label=f"{new_name}.yaml")
        self._write(path, text, exclusive=True)
        return ps

    def save_edit(self, name: str, yaml_text: str, opened_hash: str) -> PromptSet:
        """Save an edit of the user's own copy, unless it changed since it was opened."""
        if self.is_builtin(name):
            raise PromptError(f"{name!r} is a built-in set and is never changed: copy it first")
        path = self._user_path(name)
        if not path.is_file():
            raise PromptError(f"No copy {name!r} in {self.user_dir}: it was deleted; save a "
                              "new copy instead")
        if _sha(self.read_text(name))[:12] != opened_hash[:12]:
            raise PromptError(f"{name!r} was changed elsewhere (another tab?) since you opened "
                              "it: reload the page, then edit again; your text is still here")
        ps = parse_prompt_set(yaml_text, path, label=f"{name}.yaml")  # also checks name == file
        self._write(path, yaml_text, exclusive=False)
        return ps

    def delete(self, name: str) -> Path:
        """Delete one of the user's copies (moved to .deleted/); built-in sets are refused."""
        if self.is_builtin(name):
            raise PromptError(f"{name!r} is a built-in set and cannot be deleted")
        path = self._user_path(name)
        if not path.is_file():
            raise PromptError(f"No copy {name!r} in {self.user_dir}: nothing to delete")
        trash = path.parent / ".deleted"
        trash.mkdir(exist_ok=True)
        target = trash / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.yaml"
        os.replace(path, target)
        return target

    def _write(self, path: Path, text: str, exclusive: bool) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
        except OSError as exc:
            raise PromptError(f"Cannot write {path}: {exc}: check PREP_AGENT_HOME's "
                              "permissions") from exc
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            if exclusive:
                os.link(tmp, path)  # fails if the name appeared meanwhile: no silent overwrite
            else:
                os.replace(tmp, path)
        except FileExistsError as exc:
            raise PromptError(
                f"Prompt set {path.stem!r} already exists: pick another name") from exc
        except OSError as exc:
            raise PromptError(f"Cannot write {path}: {exc}: check the directory's "
                              "permissions") from exc
        finally:
            Path(tmp).unlink(missing_ok=True)
