"""Stemming from many request threads at once (several uvicorn threads on a cold cache) is safe."""

from __future__ import annotations

import random
import string
import sys
import threading
from collections.abc import Iterator

import pytest

from corridor.goods import text


@pytest.fixture
def eager_switching() -> Iterator[None]:
    # Switch threads as often as possible, so that a race shows in a few thousand words.
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_concurrent_stemming_neither_fails_nor_mixes_words(eager_switching: None) -> None:
    rng = random.Random(7)
    words = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(6, 14))) + suffix
        for suffix in ("ational", "ization", "fulness", "ousness", "iveness")
        for _ in range(8000)
    ]
    text.stem.cache_clear()
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def run(chunk: list[str]) -> None:
        for word in chunk:
            try:
                results[word] = text.stem(word)
            except Exception as error:  # collected: the assertion below names the failure
                errors.append(error)

    threads = [threading.Thread(target=run, args=(words[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    text.stem.cache_clear()
    assert all(text.stem(w) == results[w] for w in words[:2000]), "the same stem as one thread alone"
