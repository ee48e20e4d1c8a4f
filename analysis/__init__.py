"""News topic and sentiment analysis: articles in, pandas frames out.

>>> from analysis import load_corpus, analyze
>>> corpus = load_corpus("seeds")                 # doctest: +SKIP
>>> result = analyze(corpus, n_topics=None)       # doctest: +SKIP
>>> result.articles, result.sentences, result.topics, result.article_topics, result.skipped

The frames and their columns are documented in README.md (Frames).  This package never
imports Streamlit.
"""

__version__ = "0.1.0"

# Names are resolved lazily (PEP 562) so that ``import analysis.corpus`` stays light and
# worker processes import only what they use.
_EXPORTS = {
    "load_corpus": "corpus", "read_source": "corpus", "SourceError": "corpus",
    "analyze": "pipeline", "AnalysisResult": "result", "process_chunk": "pipeline",
    "TopicModel": "topics",
    "timeline": "aggregate", "topic_timeline": "aggregate", "filter_result": "aggregate",
    "evidence": "aggregate", "keyword_timeline": "aggregate", "topic_sentiment": "aggregate",
    "write_report": "reports", "write_csv": "reports",
    "save_result": "store", "load_result": "store", "cache_key": "store",
    "index_archive": "indexer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
