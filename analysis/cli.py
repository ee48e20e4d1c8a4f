"""Command line: ``python -m analysis report SOURCE --out DIR``,
``python -m analysis index SOURCE --store DIR`` and ``report --store DIR --out OUT``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from . import aggregate
from .alerts import DEFAULT_WINDOW, MIN_ARTICLES, MIN_BASELINE, alerts_table, detect_alerts
from .compare import changes_table, compare_periods, parse_range
from .corpus import SourceError, read_source
from .engines import EngineError
from .keyword_query import QueryError, parse_query
from .keywords import keyword_series
from .periods import PERIOD_CHOICES
from .overrides import apply_overrides, read_overrides
from .reports import write_csv, write_report
from .skip_reasons import skip_groups

__all__ = ["main", "build_parser"]

_DESCRIPTION = """\
Analyse a folder of news articles (.txt files whose first line is news-DDMMYYYY-HHMMSS)
or a CSV / TSV / JSONL / JSON / Parquet export, and write CSV reports: articles.csv,
sentences.csv, topics.csv, timeline.csv, alerts.csv (volume and sentiment spikes against a
trailing baseline), changes.csv with --compare, summary.txt and, when any input was
skipped, skipped.csv with the reason for each.
"""

_EPILOG = """\
examples:
  python -m analysis report seeds --out reports/seeds
  python -m analysis report export.csv --out out --topics 8 --since 2024-06-01 --freq week
  python -m analysis report export.jsonl --out out --topic election --topic 3 --keyword Ukraine
"""


def _date(value: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD)") from exc


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {value!r}")
    return n


def _score(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        x = float("nan")
    if not -1.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number from -1 to 1, got {value!r}")
    return x


def _query(value: str) -> str:
    # Parsed here so a malformed query is refused before the corpus is analysed.
    try:
        parse_query(value)
    except QueryError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return value


def _range(value: str):
    try:
        return parse_range(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=_DESCRIPTION,
                                     epilog=_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{report,index}")
    rep = sub.add_parser("report", help="analyse SOURCE and write CSV reports",
                         description=_DESCRIPTION, epilog=_EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    rep.add_argument("source", nargs="?",
                     help="folder of .txt articles (searched recursively), one .txt file, "
                          "or a .csv/.tsv/.jsonl/.json/.parquet file (or use --store)")
    rep.add_argument("--store", type=Path, metavar="DIR",
                     help="report from an archive store built by `index` instead of a source "
                          "(streamed: any size)")
    rep.add_argument("--out", required=True, type=Path, help="folder to write the reports into "
                                                            "(created if missing)")
    model = rep.add_argument_group("analysis")
    model.add_argument("--topics", type=_positive_int, metavar="K",
                       help="number of topics (default: chosen from the data among 4-10)")
    model.add_argument("--jobs", type=_positive_int, metavar="N",
                       help="worker processes for sentence scoring (default: all cores)")
    model.add_argument("--overrides", type=Path, metavar="FILE",
                       help="apply the analyst's corrections stored in this overrides.parquet "
                            "(analysis.overrides); exports get an 'overridden' column. With "
                            "--store, the store's own DIR/overrides.parquet is always applied")
    model.add_argument("--seed", type=int, default=0, help="random_state of the topic model (default 0)")
    flt = rep.add_argument_group("filter (applied to every report)")
    flt.add_argument("--since", type=_date, metavar="DATE", help="first publication date, inclusive")
    flt.add_argument("--until", type=_date, metavar="DATE", help="last publication date, inclusive")
    flt.add_argument("--topic", action="append", metavar="ID_OR_LABEL",
                     help="keep articles whose main topic has this id or whose label contains "
                          "this text; repeat for several")
    flt.add_argument("--keyword", metavar="QUERY", type=_query,
                     help='keep articles matching this keyword query: words, "quoted phrases", '
                          "prefix*, AND / OR / NOT and parentheses, e.g. "
                          "'oil AND (opec OR saudi) NOT palm' (README: Keyword queries)")
    flt.add_argument("--outlet", action="append", metavar="NAME",
                     help="keep articles from this outlet (exact name, as in articles.csv); "
                          "repeat for several")
    flt.add_argument("--min-sentiment", type=_score, metavar="X", help="lowest article compound (-1..1)")
    flt.add_argument("--max-sentiment", type=_score, metavar="X", help="highest article compound (-1..1)")
    rep.add_argument("--freq", choices=list(PERIOD_CHOICES), default="auto",
                     help="period of timeline.csv (default auto: the finest period with at least "
                          "one article per period on average)")
    ins = rep.add_argument_group("alerts (alerts.csv)")
    ins.add_argument("--track", action="append", metavar="QUERY", type=_query, default=[],
                     help="keyword query to track: a series in keywords.csv (articles, share "
                          "of voice, sentiment of the sentences that mention it, per period) "
                          "and alerts in alerts.csv (scope keyword); repeat for several")
    ins.add_argument("--alert-window", type=_positive_int, default=DEFAULT_WINDOW, metavar="N",
                     help=f"periods of trailing baseline (default {DEFAULT_WINDOW})")
    ins.add_argument("--alert-min-articles", type=_positive_int, default=MIN_ARTICLES, metavar="N",
                     help=f"articles a period needs before its sentiment can alert "
                          f"(default {MIN_ARTICLES})")
    cmp = rep.add_argument_group("compare two periods (changes.csv)")
    cmp.add_argument("--compare", nargs=2, type=_range, metavar=("A", "B"),
                     help="two date ranges START:END (inclusive), e.g. --compare "
                          "2024-07-01:2024-07-31 2024-08-01:2024-08-31: the change in mean "
                          "sentiment split into topic mix and within-topic parts, and the "
                          "words that drove it")
    _input_options(rep)
    _index_parser(sub)
    return parser


def _input_options(cmd) -> None:
    inp = cmd.add_argument_group("input columns (tables; found by common names when not given)")
    inp.add_argument("--text-col", help="column holding the article text")
    inp.add_argument("--id-col", help="column holding the article id")
    inp.add_argument("--date-col", help="column holding the publication date")
    inp.add_argument("--title-col", help="column holding the title")
    inp.add_argument("--outlet-col", help="column holding the outlet (default: outlet, source, "
                                          "publisher, site; else the domain of the url column)")
    inp.add_argument("--url-col", help="column holding the article URL (default: url, link)")
    inp.add_argument("--outlet-from-folder", action="store_true",
                     help="folders: an article's outlet is the sub-folder it is in "
                          "(SOURCE/bbc/... -> bbc)")
    inp.add_argument("--dayfirst", action="store_true", default=None,
                     help="read ambiguous dates like 03/04/2024 as 3 April")
    inp.add_argument("--max-file-mb", type=float, default=5.0, metavar="MB",
                     help="skip article files larger than this (default 5)")


_INDEX_DESCRIPTION = """\
Build, or bring up to date, an analysed archive of SOURCE in the store folder DIR:
Parquet datasets partitioned by month (articles/, sentences/, article_topics/),
topics.parquet, the topic model, and a manifest of every input read.  Run it again
after files were added, changed or deleted: only those are analysed, and new articles
are assigned to the existing topics.  A run that is interrupted (Ctrl-C, a kill, a
power cut) continues where it stopped when started again.
"""

_INDEX_EPILOG = """\
examples:
  python -m analysis index /data/feed --store /data/feed-store --topics 20
  python -m analysis index /data/feed --store /data/feed-store            # later: only what changed
  python -m analysis index /data/feed --store /data/feed-store --refit    # new topics, ids kept
  python -m analysis index /data/feed --store /data/feed-store --engine dask --scheduler tcp://head:8786
  python -m analysis report --store /data/feed-store --out out --since 2024-06-01
"""


def _index_parser(sub) -> None:
    idx = sub.add_parser("index", help="build or update an analysed archive store from SOURCE",
                         description=_INDEX_DESCRIPTION, epilog=_INDEX_EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    idx.add_argument("source", help="folder of .txt articles and table files (searched "
                                    "recursively), or one table file")
    idx.add_argument("--store", required=True, type=Path, metavar="DIR",
                     help="the archive store folder (created if missing)")
    model = idx.add_argument_group("topics")
    model.add_argument("--topics", type=_positive_int, metavar="K",
                       help="number of topics (default: the store's; for a new store, chosen "
                            "on the sample among 4-10); changed only with --refit")
    model.add_argument("--sample", type=_positive_int, metavar="N", default=None,
                       help="articles the topic model is fitted on, a sample spread over the "
                            "months (default 10000)")
    model.add_argument("--refit", action="store_true",
                       help="refit the topics on the current archive; topics that match an old "
                            "one keep its id and name")
    model.add_argument("--seed", type=int, default=0, help="random_state of the topic model (default 0)")
    run = idx.add_argument_group("where it runs")
    run.add_argument("--engine", choices=["local", "dask"], default="local",
                     help="local worker processes (default) or a Dask distributed cluster")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="Dask scheduler address (tcp://host:8786); without it --engine dask "
                          "starts a LocalCluster")
    run.add_argument("--jobs", type=_positive_int, metavar="N",
                     help="worker processes (default: all cores; 1 runs in this process)")
    run.add_argument("--chunk-size", type=_positive_int, metavar="N",
                     help="article files per chunk, and rows per piece of a big table "
                          "(default: from the number of new articles, a table counting about "
                          "one a kilobyte; 100-4000)")
    _input_options(idx)


def _resolve_topics(wanted: list[str], topics: pd.DataFrame) -> list[int]:
    ids = []
    for w in wanted:
        if w.strip().lstrip("-").isdigit() and int(w) in set(topics["topic_id"]):
            ids.append(int(w))
            continue
        hits = topics[topics["label"].str.contains(w, case=False, regex=False)
                      | topics["terms"].str.contains(w, case=False, regex=False)]
        if hits.empty:
            choices = "; ".join(f"{t}: {lab}" for t, lab in zip(topics["topic_id"], topics["label"]))
            raise SourceError(f"--topic {w!r} matches no topic (topics: {choices})")
        ids.extend(int(t) for t in hits["topic_id"])
    return sorted(set(ids))


def _read_options(args) -> dict:
    return dict(text_col=args.text_col, id_col=args.id_col, date_col=args.date_col,
                title_col=args.title_col, dayfirst=args.dayfirst, outlet_col=args.outlet_col,
                url_col=args.url_col, outlet_from="folder" if args.outlet_from_folder else None,
                max_file_bytes=int(args.max_file_mb * 1_000_000))


def _criteria(args, topics: pd.DataFrame) -> dict:
    criteria = {}
    if args.since is not None:
        criteria["start"] = args.since
    if args.until is not None:
        criteria["end"] = args.until
    if args.topic:
        criteria["topics"] = _resolve_topics(args.topic, topics)
    if args.keyword:
        criteria["keyword"] = args.keyword
    if args.outlet:
        criteria["outlets"] = args.outlet
    if args.min_sentiment is not None or args.max_sentiment is not None:
        criteria["sentiment"] = (-1.0 if args.min_sentiment is None else args.min_sentiment,
                                 1.0 if args.max_sentiment is None else args.max_sentiment)
    return criteria


def _print_skips(skipped: pd.DataFrame, where: Path) -> None:
    """One line per kind of reason (``401 duplicates (same text)``); the details are in
    ``where`` (skipped.csv)."""
    if not len(skipped):
        return
    for group, n in skip_groups(skipped).itertuples(index=False):
        print(f"  {n:>6} {group}")
    print(f"  details: {where}")


def _bar(desc: str):
    bar = tqdm(desc=desc, total=None, disable=None, leave=False, file=sys.stderr)

    def on_stage(stage, done, total):
        bar.set_description(stage)
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, on_stage


def _index(args) -> int:
    from .indexer import DEFAULT_SAMPLE_SIZE, index_archive

    bar, on_stage = _bar("indexing")
    summary = index_archive(
        args.source, args.store, n_topics=args.topics, refit=args.refit,
        sample_size=args.sample or DEFAULT_SAMPLE_SIZE, engine=args.engine,
        scheduler=args.scheduler, n_jobs=args.jobs, random_state=args.seed,
        read_options=_read_options(args), chunk_size=args.chunk_size, progress=on_stage)
    bar.close()
    print(f"{args.source}: {summary.new_inputs} new, {summary.changed_inputs} changed, "
          f"{summary.deleted_inputs} deleted, {summary.unchanged_inputs} unchanged input(s); "
          f"{summary.chunks} chunk(s) analysed in {summary.timings['total']:.1f} s")
    if summary.fitted:
        print(f"topics fitted on a sample: {summary.n_topics} topics")
    if summary.refit:
        r = summary.refit
        print(f"refit: {r['matched']} topics matched (ids and names kept), {r['new']} new, "
              f"{r['retired']} retired (see topic_matches.parquet)")
    if summary.reassigned_chunks:
        print(f"{summary.reassigned_chunks} chunk(s) assigned to the current topics again")
    print(f"archive {args.store}: {summary.archive_articles} articles, {summary.archive_sentences} "
          f"sentences, {summary.n_topics} topics, {len(summary.skipped)} input(s) skipped")
    if len(summary.skipped):
        write_csv(summary.skipped, args.store / "skipped.csv")
        _print_skips(summary.skipped, args.store / "skipped.csv")
    return 0


def _report_store(args) -> int:
    """``report --store``: the same CSVs from an archive store, through the store query
    functions (:mod:`analysis.queries`) that the dashboard uses, streamed in batches."""
    import json

    from .criteria import Criteria
    from .queries import Store, StoreError, export_csvs, headline

    from .overrides import overrides_path
    from .store_overrides import ensure_applied

    own = overrides_path(args.store)
    if args.overrides and Path(args.overrides).resolve() != own.resolve():
        raise SourceError(f"with --store the store's own corrections are applied ({own}); "
                          "every export has an 'overridden' column. Add corrections in the "
                          "dashboard, or drop --overrides")
    if (Path(args.store) / "articles").is_dir():
        # Corrections written since they were last applied (by hand, or by the Python
        # API) are applied first, so the report is what the dashboard shows.
        ensure_applied(args.store, "report")
    try:
        store = Store(args.store)
    except StoreError as exc:
        raise SourceError(str(exc)) from None
    names_path = Path(args.store) / "topic_names.json"
    names = ({int(k): v for k, v in json.loads(names_path.read_text()).items()}
             if names_path.exists() else {})
    from .views import StoreViews

    criteria = Criteria(**_criteria(args, store.topics))
    views = StoreViews(store, criteria, names)
    changes = None
    if args.compare:  # first: a range with no article is said before a long export
        changes = views.changes_csv(*args.compare)
    export_csvs(store, args.out, criteria, freq=args.freq, names=names)
    # The same alerts and decomposition as for a SOURCE, from the store's sums.
    write_csv(alerts_table(views.alerts(args.freq, args.track, **_alert_params(args))),
              args.out / "alerts.csv")
    if args.track:
        write_csv(views.keyword_series(args.track, args.freq), args.out / "keywords.csv")
    if changes is not None:
        from .reports import atomic_write_bytes

        atomic_write_bytes(Path(args.out) / "changes.csv", changes)
    done = headline(store, criteria)
    span = (f"{done.first:%Y-%m-%d %H:%M:%S} to {done.last:%Y-%m-%d %H:%M:%S}"
            if done.first is not None else "no dates")
    print(f"store {args.store}: {done.n_articles} articles, {done.n_sentences} sentences, "
          f"{done.n_topics} topics, dates {span}"
          + (f", {done.undated} undated" if done.undated else "")
          + (" (after the filter)" if criteria != Criteria() else ""))
    skipped_path = Path(args.store) / "skipped.parquet"
    skipped = pd.read_parquet(skipped_path) if skipped_path.exists() else pd.DataFrame()
    if len(skipped):
        print(f"{len(skipped)} input(s) skipped when indexing:")
        _print_skips(skipped, args.out / "skipped.csv")
    print(f"wrote {args.out}/: " + ", ".join(
        sorted(p.name for p in Path(args.out).iterdir() if p.suffix in (".csv", ".txt"))))
    run = views.run_state()
    if run["status"] != "complete":
        when = f"{run['since']:%Y-%m-%d %H:%M} UTC" if run["since"] else "earlier"
        what = ("index is updating this store" if run["status"] == "updating" else
                "the last index run was stopped before it finished (run it again to complete it)")
        print(f"note: {what}; started {when}: the report covers what it had written",
              file=sys.stderr)
    return 0


def _alert_params(args) -> dict:
    """The alert settings of the command line, as :func:`detect_alerts` takes them."""
    return dict(window=args.alert_window, min_articles=args.alert_min_articles,
                min_baseline=min(MIN_BASELINE, args.alert_window))


def _write_insights(args, shown, data_end) -> None:
    """``alerts.csv`` of the (filtered) result, in the period of timeline.csv;
    ``data_end``: the whole corpus's last publication time (where the feed stops)."""
    alerts = detect_alerts(shown.articles, shown.sentences, freq=args.freq, topics=shown.topics,
                           keywords=args.track, data_end=data_end, **_alert_params(args))
    write_csv(alerts_table(alerts), args.out / "alerts.csv")
    if args.track:
        write_csv(keyword_series(shown.articles, shown.sentences, args.track, freq=args.freq),
                  args.out / "keywords.csv")
    if args.compare:
        changes = compare_periods(shown.articles, shown.sentences, *args.compare)
        write_csv(changes_table(changes), args.out / "changes.csv")


def _report(args) -> int:
    if args.store is not None:
        if args.source:
            raise SourceError("give either SOURCE or --store DIR, not both")
        return _report_store(args)
    if not args.source:
        raise SourceError("report needs a SOURCE (folder or file) or --store DIR")
    overrides = None
    if args.overrides is not None:  # read first: a bad file is refused before the analysis
        if not args.overrides.exists():
            raise SourceError(f"--overrides {args.overrides} does not exist")
        overrides = read_overrides(args.overrides)
    files_bar = tqdm(desc="reading", unit="file", disable=None, leave=False, file=sys.stderr)

    def on_file(done, total):
        files_bar.total = total
        files_bar.n = done
        files_bar.refresh()

    corpus, skipped = read_source(
        args.source, **_read_options(args), progress=on_file)
    files_bar.close()
    n_read = len(corpus) + len(skipped)
    if corpus.empty:
        # Still account for every input: the skipped list says why each was refused.
        if len(skipped):
            write_csv(skipped, args.out / "skipped.csv")
        reasons = "; ".join(f"{s}: {r}" for s, r in skipped.head(3).itertuples(index=False))
        raise SourceError(f"no article could be read from {args.source} ({reasons}"
                          + (f"; all {len(skipped)} listed in {args.out / 'skipped.csv'})"
                             if len(skipped) > 3 else ")"))
    from .pipeline import analyze  # scikit-learn & co.: only the commands that fit load it

    bar, on_stage = _bar("analysing")
    result = analyze(corpus, n_topics=args.topics, n_jobs=args.jobs, random_state=args.seed,
                     skipped=skipped, progress=on_stage)
    bar.close()
    if overrides is not None:
        result = apply_overrides(result, overrides)
    criteria = _criteria(args, result.topics)
    shown = result.filter(**criteria) if criteria else result
    write_report(shown, args.out, freq=args.freq, source=str(args.source))
    first, last = aggregate.date_span(result.articles)
    _write_insights(args, shown, last)

    span = f"{first:%Y-%m-%d %H:%M:%S} to {last:%Y-%m-%d %H:%M:%S}" if first is not None else "no dates"
    print(f"read {n_read} input(s): {len(result.articles)} articles analysed, {len(skipped)} skipped")
    _print_skips(skipped, args.out / "skipped.csv")
    print(f"{len(result.sentences)} sentences, {len(result.topics)} topics "
          f"({result.params['chosen_by']}), dates {span}"
          + (f", {aggregate.undated_count(result.articles)} undated"
             if aggregate.undated_count(result.articles) else ""))
    if criteria:
        print(f"filter kept {len(shown.articles)} of {len(result.articles)} articles")
    print(f"wrote {args.out}/: " + ", ".join(
        sorted(p.name for p in Path(args.out).iterdir() if p.suffix in (".csv", ".txt"))))
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "report":
            return _report(args)
        if args.command == "index":
            return _index(args)
    except (SourceError, ValueError, OSError, EngineError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted" + ("; run the same command again to continue where it stopped"
                               if args.command == "index" else ""), file=sys.stderr)
        return 130
    return 1
