"""A disk cache of llama.cpp's state after the fixed part of a prompt (system + few-shot turns).

Reading a playbook's ~300-token prompt costs about a second on 2 cores, in every process, for
every playbook, although only its last turn (the post) changes. So the state after everything
but the last message is saved once per model and prefix, and a new process loads it (a few
MB, milliseconds) instead of recomputing it. llama-cpp-python then reuses that prefix the
same way it reuses the previous call's prompt within a process.

Loading gives the same numbers as computing: the prefix is always evaluated on its own, then
the rest, whether the state came from disk or not, so a seed gives the same output either way.
Any failure (a file from another llama.cpp build, a full disk) falls back to computing.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

MIN_PREFIX_TOKENS = 64  # shorter prefixes are cheaper to read than to load from disk
MAX_FILES = 48  # playbooks, reply kinds and languages; older files are pruned past this


def cache_dir() -> Path:
    env = os.environ.get("DRAFT_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("draft", appauthor=False)) / "prompts"


class PromptCache:
    def __init__(
        self,
        llama: Any,
        model_path: Path,
        folder: Path | None = None,
        adapter: Path | None = None,
    ) -> None:
        self.llama = llama
        self.folder = folder or cache_dir()
        import llama_cpp

        # the state after a prefix depends on the weights: the base file and the adapter applied
        files = [model_path, *([adapter] if adapter else [])]
        self._model_id = (
            ":".join(f"{f.resolve()}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)
            + f":{llama.n_ctx()}:{llama_cpp.__version__}"
        )
        template = llama.metadata.get("tokenizer.chat_template")
        self._formatter = _formatter(llama, template) if template else None

    def prepare(self, messages: list[dict]) -> str:
        """Make sure llama.cpp holds the state after `messages[:-1]`: already in memory,
        loaded from disk, or computed now and saved. Returns what happened, for tests."""
        if self._formatter is None or len(messages) < 2:
            return "skipped"
        prefix = self._tokens(messages[:-1])
        if len(prefix) < MIN_PREFIX_TOKENS or len(prefix) >= self.llama.n_ctx():
            return "skipped"
        held = self.llama._input_ids
        if len(held) >= len(prefix) and list(held[: len(prefix)]) == prefix:
            return "in memory"
        path = self.folder / f"{self._key(prefix)}.state"
        try:
            if path.is_file() and self._load(path, prefix):
                os.utime(path)  # recently used: pruned last
                return "loaded"
        except (OSError, RuntimeError, ValueError):
            pass
        self.llama.reset()
        self.llama.eval(prefix)
        try:
            self._save(path)
        except (OSError, RuntimeError):
            return "computed"
        return "saved"

    def _tokens(self, messages: list[dict]) -> list[int]:
        """Tokenized as llama-cpp-python's chat handler tokenizes a prompt."""
        result = self._formatter(messages=messages)
        return self.llama.tokenize(
            result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
        )

    def _key(self, prefix: list[int]) -> str:
        digest = hashlib.sha256(self._model_id.encode())
        digest.update(bytes(str(prefix), "ascii"))
        return digest.hexdigest()[:32]

    def _load(self, path: Path, prefix: list[int]) -> bool:
        import llama_cpp

        data = path.read_bytes()
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        self.llama.reset()
        if llama_cpp.llama_state_set_data(self.llama._ctx.ctx, buffer, len(data)) != len(data):
            self.llama.reset()
            return False
        n = len(prefix)
        self.llama.input_ids[:n] = prefix
        self.llama.n_tokens = n
        self.llama._requires_eval = True  # logits are stale: decode the rest before sampling
        return True

    def _save(self, path: Path) -> None:
        import llama_cpp

        ctx = self.llama._ctx.ctx
        size = llama_cpp.llama_state_get_size(ctx)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_get_data(ctx, buffer, size)
        if not 0 < written <= size:
            raise RuntimeError("llama.cpp returned no state")
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(memoryview(buffer)[:written])
            os.replace(tmp, path)  # atomic: a concurrent process never reads half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._prune()

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.state"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - MAX_FILES)]:
            old.unlink(missing_ok=True)


def _formatter(llama: Any, template: str) -> Any:
    """The GGUF's chat template without the assistant cue: the prompt up to the last turn."""
    from llama_cpp import llama_chat_format

    model = llama._model
    return llama_chat_format.Jinja2ChatFormatter(
        template=template,
        eos_token=model.token_get_text(llama.token_eos()),
        bos_token=model.token_get_text(llama.token_bos()),
        add_generation_prompt=False,
    )
