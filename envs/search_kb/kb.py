"""A searchable document store: BM25 ranking over title and text, snippets, and reads.

BM25 is written out (a dozen lines) rather than taken from `rank_bm25`, which is
unmaintained and pulls in numpy for what is, here, a few dozen short documents.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_STOPWORDS = frozenset("a an and are as at be by did does for from has have in is it its of on "
                       "or that the their this to was were what when where which who whom "
                       "whose why with".split())
K1, B = 1.5, 0.75  # the usual BM25 constants
TITLE_WEIGHT = 2  # a title word counts as this many body words


def tokens(text: str) -> list[str]:
    """Lower-cased, accent-free word tokens without stop words."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text.lower())
                   if not unicodedata.combining(c))
    return [t for t in _TOKEN.findall(text) if t not in _STOPWORDS]


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str


class KnowledgeBase:
    """Documents with a BM25 index. Immutable once built, so one can serve many episodes."""

    def __init__(self, docs: list[Doc]) -> None:
        self.docs = {d.id: d for d in docs}
        self._order = [d.id for d in docs]
        self._tf = {d.id: Counter(tokens(d.title) * TITLE_WEIGHT + tokens(d.text)) for d in docs}
        self._len = {i: sum(tf.values()) for i, tf in self._tf.items()}
        self._avg = sum(self._len.values()) / max(1, len(docs))
        df = Counter(t for tf in self._tf.values() for t in tf)
        n = len(docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def _bm25(self, doc_id: str, query: list[str]) -> float:
        tf, norm = self._tf[doc_id], K1 * (1 - B + B * self._len[doc_id] / self._avg)
        return sum(self._idf.get(t, 0.0) * tf[t] * (K1 + 1) / (tf[t] + norm)
                   for t in query if tf[t])

    def search(self, query: str, k: int = 5) -> list[dict]:
        """The `k` best documents for `query`: id, title and the best-matching sentence."""
        q = tokens(query)
        scored = [(self._bm25(i, q), n, i) for n, i in enumerate(self._order)]
        hits = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:k]
        return [{"id": i, "title": self.docs[i].title, "snippet": self.snippet(i, q)}
                for _, _, i in hits]

    def snippet(self, doc_id: str, query: list[str], width: int = 160) -> str:
        sentences = _SENTENCE.split(self.docs[doc_id].text) or [""]
        qs = set(query)
        best = max(sentences, key=lambda s: len(qs.intersection(tokens(s))))
        return best if len(best) <= width else best[:width - 3].rstrip() + "..."
