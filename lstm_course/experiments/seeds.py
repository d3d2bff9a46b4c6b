"""The seed-to-seed spread of a full run: the same experiment over several seeds, summarised by the protocol.

``python -m lstm_course.experiments.seeds NAME [--seeds 5] [--first 0] [--results DIR]`` runs the
full version of experiment ``NAME`` (``charlm`` or ``audio``) for each seed in turn and writes
``DIR/NAME-seeds.json`` after every seed, so a stopped study resumes where it stopped (seeds
already in the file are not rerun). The file holds each seed's scalar metrics and
:func:`summarise`'s protocol summary of the headline metrics.
"""

import argparse
import json
import pathlib
import sys

from ..evidence.protocol import cluster_rate_interval, rate_interval, seed_summary

HEADLINES = {  # the trained metrics whose spread the chapters state and `reproduce` tolerates
    "charlm": ("val_bpc", "val_over_bigram"),
    "audio": ("val_bits_per_sample", "pitch_within_50_cents"),
}
PITCH_THRESHOLD_CENTS = 50  # audio: a generated note is a hit within this many cents of its string's pitch


def _kept(name, metrics):
    """The scalar metrics of one seed, plus what the pooled pitch intervals need (audio)."""
    import os
    import platform

    kept = {k: v for k, v in metrics.items() if isinstance(v, (int, float, str, bool)) or v is None}
    kept["machine"] = f"{platform.machine()} {platform.processor() or ''}, {os.cpu_count()} CPU cores".replace(" ,", ",")
    if name == "audio":
        kept["generated_pitch"] = metrics["generated_pitch"]
        kept["generated_error_cents"] = metrics["generated_error_cents"]
        kept["ablation_no_film"] = {k: v for k, v in metrics["ablation_no_film"].items()
                                    if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return kept


def summarise(name, per_seed):
    """The protocol's summary of the headline metrics of ``per_seed`` ({seed: metrics}).

    Parameters
    ----------
    name : str
        ``"charlm"`` or ``"audio"`` (the keys of ``HEADLINES``).
    per_seed : dict
        Seed (as a string) to that seed's metrics, as :func:`run_seeds` stores them.

    Returns
    -------
    dict
        For each headline metric, :func:`~lstm_course.evidence.protocol.seed_summary` over the
        seeds (needs two or more) and the per-seed ``values``. For ``audio`` also
        ``pitch_pooled_wilson`` (all generated notes of all seeds as independent trials) and
        ``pitch_pooled_by_pitch`` (the same notes, bootstrapped by pitch, which they cluster by).
    """
    if name not in HEADLINES:
        raise ValueError(f"expected an experiment with a seed study, one of {sorted(HEADLINES)}; got {name!r}")
    seeds = sorted(per_seed, key=int)
    summary = {"seeds": [int(s) for s in seeds]}
    for metric in HEADLINES[name]:
        values = [per_seed[s][metric] for s in seeds]
        summary[metric] = {"values": values, **(seed_summary(values) if len(values) >= 2 else {})}
    if name == "audio":
        hits, pitches = [], []
        for s in seeds:
            errors = per_seed[s]["generated_error_cents"]
            hits += [e is not None and abs(e) <= PITCH_THRESHOLD_CENTS for e in errors]
            pitches += per_seed[s]["generated_pitch"]
        summary["pitch_pooled_wilson"] = rate_interval(int(sum(hits)), len(hits))
        summary["pitch_pooled_by_pitch"] = cluster_rate_interval(hits, pitches)
    return summary


def tolerances(summary, k=3.0):
    """``{metric: k * sd}`` over the seeds of ``summary`` (:func:`summarise`): how far a rerun may move.

    Parameters
    ----------
    summary : dict
        A seed study's summary, with two or more seeds.
    k : float, optional
        How many seed-to-seed standard deviations a rerun on another CPU may differ by (3).

    Returns
    -------
    dict
        One absolute tolerance per headline metric of the summary.
    """
    return {metric: k * value["sd"] for metric, value in summary.items() if isinstance(value, dict) and "sd" in value}


def _default_results():
    """``$LSTM_COURSE_RESULTS``, else ``book/results`` of the checkout this package runs from, else None."""
    import os

    if os.environ.get("LSTM_COURSE_RESULTS"):
        return pathlib.Path(os.environ["LSTM_COURSE_RESULTS"])
    root = pathlib.Path(__file__).resolve().parents[2]
    return root / "book" / "results" if (root / "_toc.yml").is_file() else None


def run_seeds(name, seeds=5, first=0, results=None, device="cpu", progress=print):
    """Run the full experiment ``name`` for seeds ``first .. first + seeds - 1``; save after each one.

    Parameters
    ----------
    name : str
        ``"charlm"`` or ``"audio"``.
    seeds, first : int
        How many seeds, and the first.
    results : path, optional
        The folder of ``NAME-seeds.json`` (``book/results`` of the checkout by default). Seeds
        already in that file are kept, not rerun, when it is a seed study of ``name``; any other
        file there is refused before any run.
    device : str, optional
        Where the models train.
    progress : callable, optional
        Told which seed runs, and each run's progress.

    Returns
    -------
    dict
        The record written: ``experiment``, ``version``, ``per_seed`` and ``summary``.
    """
    from .. import __version__
    from ..checkpoint import write_atomically
    from . import run_experiment

    if name not in HEADLINES:
        raise ValueError(f"expected an experiment with a seed study, one of {sorted(HEADLINES)}; got {name!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1 or not isinstance(first, int) or first < 0:
        raise ValueError(f"expected seeds >= 1 and first >= 0 (integers); got seeds = {seeds!r}, first = {first!r}")
    folder = pathlib.Path(results) if results is not None else _default_results()
    if folder is None or (folder.exists() and not folder.is_dir()):
        raise ValueError(f"expected a results folder (--results DIR outside a checkout); got {folder}")
    target = folder / f"{name}-seeds.json"
    record = {"experiment": name, "version": __version__, "per_seed": {}, "summary": {}}
    if target.exists():
        try:
            saved = json.loads(target.read_text())
            assert saved["experiment"] == name and isinstance(saved["per_seed"], dict)
        except (ValueError, OSError, KeyError, TypeError, AssertionError):
            raise ValueError(f"{target} is not a seed study of {name}; move it away first") from None
        record["per_seed"] = saved["per_seed"]
    for seed in range(first, first + seeds):
        if str(seed) in record["per_seed"]:
            continue
        progress(f"{name}, seed {seed}")
        metrics = run_experiment(name, quick=False, seed=seed, device=device, progress=progress)
        record["per_seed"][str(seed)] = _kept(name, metrics)
        record["summary"] = summarise(name, record["per_seed"])
        text = json.dumps(record, indent=2) + "\n"
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(target, lambda tmp: pathlib.Path(tmp).write_text(text))
        progress(f"saved {target} ({len(record['per_seed'])} seeds)")
    return record


def main(argv=None):
    """``python -m lstm_course.experiments.seeds NAME [--seeds N] [--first S] [--results DIR]``: :func:`run_seeds`.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (``sys.argv[1:]`` when None).
    """
    parser = argparse.ArgumentParser(prog="python -m lstm_course.experiments.seeds", description=__doc__.split("\n")[0])
    parser.add_argument("name", choices=sorted(HEADLINES))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--results", default=None)
    args = parser.parse_args(argv)
    try:
        record = run_seeds(args.name, args.seeds, args.first, args.results, progress=lambda m: print(m, file=sys.stderr))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(record["summary"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
