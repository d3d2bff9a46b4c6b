"""Claims: each conclusion the book states, as a function of saved runs that decides it.

A *claim* is a sentence of a chapter ("the LSTM beats the 5-gram at this budget") together with
the verdict the prose gives it and a function that reads the run records in ``book/results/`` and
decides it with the book's statistical protocol (:mod:`lstm_course.evidence.protocol`). The claims
of each chapter live in ``lstm_course.evidence.chapters``; importing that package registers them.

Evaluating a claim gives a plain dict (JSON-ready): the claim's fields, the *verdict* the evidence
gives, the effect with its interval, the test and its p-value where one applies, the number of
seeds or items, and ``agrees`` (whether the evidence's verdict is the one the prose states). The
claims test (``tests/test_claims.py``) fails on any claim that does not agree, and the book's
"Claims and evidence" page lists them all.

Verdicts
--------
``"supported"``
    The interval lies wholly on the side the sentence states (or, for a threshold claim, wholly
    past the threshold).
``"contradicted"``
    The interval lies wholly on the other side.
``"inconclusive"``
    The interval straddles the line: the runs cannot decide the sentence either way.
"""

import dataclasses
import math
import pathlib
import re
from typing import Callable

from lstm_course.records import saved, saved_results_dir

VERDICTS = ("supported", "contradicted", "inconclusive")
UNITS = ("seeds", "items", "runs", "notes", "stories", "pairs")
_NAME = re.compile(r"^ch\d\d-[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclasses.dataclass(frozen=True)
class Evidence:
    """What a claim's deciding function returns: the verdict and the numbers behind it.

    Attributes
    ----------
    verdict : str
        One of ``VERDICTS``.
    effect : float
        The effect the verdict rests on (a difference, a rate, a ratio), in the units of ``effect_name``.
    low, high : float
        Its interval (95 % unless ``test`` says otherwise); equal to ``effect`` for an exact count.
    effect_name : str
        What ``effect`` is, for a reader: ``"val bits/char, LSTM minus 5-gram"``.
    test : str
        How the interval (and p-value) were found: ``"paired t-test over seeds"``, ``"Wilson interval"``.
    n : int
        How many seeds, items or runs the evidence has (see ``unit``).
    unit : str
        One of ``UNITS``.
    p_value : float or None
        The test's two-sided p-value, where it has one.
    runs : int or None
        Training runs per arm behind the evidence, where they are not what ``n`` counts: 1 for a
        comparison of items (test numbers, notes) from one trained model per arm, whose interval
        covers the sampling of the items only, not the spread between training runs.
    """

    verdict: str
    effect: float
    low: float
    high: float
    effect_name: str
    test: str
    n: int
    unit: str
    p_value: float | None = None
    runs: int | None = None

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"expected a verdict in {VERDICTS}; got {self.verdict!r}")
        if self.unit not in UNITS:
            raise ValueError(f"expected a unit in {UNITS}; got {self.unit!r}")
        numbers = (self.effect, self.low, self.high)
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in numbers) or not self.low <= self.high:
            raise ValueError(f"expected finite effect, low <= high; got {numbers!r}")
        if not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"expected n a positive integer; got {self.n!r}")
        if self.runs is not None and (not isinstance(self.runs, int) or self.runs < 1):
            raise ValueError(f"expected runs a positive integer or None; got {self.runs!r}")


@dataclasses.dataclass(frozen=True)
class Claim:
    """One conclusion of the book and the function that decides it.

    Attributes
    ----------
    name : str
        ``chNN-words-with-hyphens``; the chapter glues ``claim-<name>-verdict`` and the figures.
    chapter : str
        The notebook that states it, without ``.ipynb``: ``"10_generative_models"``.
    statement : str
        The sentence, as the chapter states it.
    stated : str
        The verdict the prose gives it (one of ``VERDICTS``).
    sources : tuple of str
        The run records it reads, by experiment name (``"charlm"`` reads ``charlm.json``).
    decide
        ``decide(records) -> Evidence``, where ``records`` maps each source to its loaded record.
    """

    name: str
    chapter: str
    statement: str
    stated: str
    sources: tuple
    decide: Callable


REGISTRY = {}


def claim(name, chapter, statement, stated, sources):
    """Register the decorated function as the decider of one claim of the book.

    Parameters
    ----------
    name, chapter, statement, stated, sources
        As in :class:`Claim`; ``sources`` may be one name or a sequence of names.

    Returns
    -------
    callable
        A decorator that registers ``decide(records) -> Evidence`` and returns it unchanged.

    Raises
    ------
    ValueError
        A malformed name, a verdict not in ``VERDICTS``, no sources, or a name registered twice.
    """
    sources = (sources,) if isinstance(sources, str) else tuple(sources)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"expected a claim name like 'ch10-lstm-beats-5gram'; got {name!r}")
    if stated not in VERDICTS:
        raise ValueError(f"expected the stated verdict in {VERDICTS}; got {stated!r}")
    if not sources or not all(isinstance(s, str) and s for s in sources):
        raise ValueError(f"expected one or more source experiment names; got {sources!r}")
    if name in REGISTRY:
        raise ValueError(f"claim {name!r} is registered twice")

    def register(decide):
        REGISTRY[name] = Claim(name, chapter, statement, stated, sources, decide)
        return decide

    return register


def side(low, high, line=0.0, favours="below"):
    """The verdict of an interval against a line: which side of ``line`` the sentence says it lies on.

    Parameters
    ----------
    low, high : float
        The interval.
    line : float, optional
        The line the sentence compares with (0 for a difference, a threshold for a rate).
    favours : {"below", "above"}
        The side the sentence states: ``"below"`` for "A's loss is lower than B's" on ``A - B``.

    Returns
    -------
    str
        ``"supported"`` when the whole interval is strictly on that side, ``"contradicted"`` when
        it is wholly on the other side, ``"inconclusive"`` otherwise.
    """
    if favours not in ("below", "above"):
        raise ValueError(f"expected favours 'below' or 'above'; got {favours!r}")
    if favours == "above":
        low, high, line = -high, -low, -line
    if high < line:
        return "supported"
    if low > line:
        return "contradicted"
    return "inconclusive"


def against_fixed_baseline(values, baseline, effect_name, favours="above", confidence=0.95):
    """Evidence that a metric over seeds lies on one side of a baseline that has no seed.

    The one-sample t interval over seeds of ``value - baseline``
    (:func:`lstm_course.evidence.protocol.seed_summary`) and the one-sample t-test of the same differences
    against 0 (``scipy.stats.ttest_1samp``; no p-value where every difference is the same).

    Parameters
    ----------
    values : sequence of float
        (S,) the metric of each seed, S >= 2.
    baseline : float
        The baseline's metric (a count-based model, a fixed pipeline: the same for every seed).
    effect_name : str
        What the difference is, for the claims page: ``"test accuracy, LSTM minus bag of words"``.
    favours : {"above", "below"}
        The side of 0 the sentence states for ``value - baseline``.
    confidence : float, optional

    Returns
    -------
    Evidence
    """
    from scipy import stats

    from lstm_course.evidence.protocol import seed_summary

    differences = [v - baseline for v in values]
    s = seed_summary(differences, confidence)
    p = float(stats.ttest_1samp(differences, 0.0).pvalue) if s["sd"] > 0 else None
    return Evidence(side(s["low"], s["high"], favours=favours), s["mean"], s["low"], s["high"], effect_name,
                    "one-sample t interval over seeds (baseline fixed)", s["n"], "seeds", p)


def count_of(rate, n, what):
    """The number of successes behind a saved ``rate`` of ``n`` items.

    Parameters
    ----------
    rate : float
        A saved fraction (records keep rates as floats).
    n : int
        The number of items it is a fraction of.
    what : str
        The record and key, for the error message: ``"translate.json: exact_match_attention"``.

    Returns
    -------
    int
        ``k`` with ``k / n == rate`` (within 1e-6 of a count).

    Raises
    ------
    ValueError
        One line when ``rate * n`` is not a whole count: the record is not what the claim expects.
    """
    k = round(rate * n)
    if abs(k - rate * n) > 1e-6:
        raise ValueError(f"{what} = {rate!r} is not a count out of {n}")
    return k


def _registered():
    import lstm_course.evidence.chapters  # noqa: F401  (importing it registers every chapter's claims)

    return REGISTRY


def load_sources(sources, results_dir=None):
    """The run records a claim reads, by experiment name.

    Parameters
    ----------
    sources : sequence of str
        Experiment names; each is read from ``<results_dir>/<name>.json``.
    results_dir : path-like, optional
        Where the records are (``book/results`` of this checkout by default).

    Returns
    -------
    dict
        ``{name: record}``. A name ending in ``-seeds`` is a seed study
        (:mod:`lstm_course.experiments.seeds`): a dict with ``experiment``, ``per_seed`` and ``summary``.

    Raises
    ------
    FileNotFoundError, ValueError
        A missing file, or one that is not a run record (or seed study), in one line.
    """
    folder = pathlib.Path(results_dir) if results_dir is not None else saved_results_dir()
    if folder is None:
        raise FileNotFoundError("no results folder: pass results_dir (outside a checkout there is no book/results)")
    return {name: saved(name, folder) for name in sources}


def evaluate(name, results_dir=None):
    """Decide one claim from the saved runs.

    Parameters
    ----------
    name : str
        A registered claim's name.
    results_dir : path-like, optional
        Where the run records are (``book/results`` of this checkout by default).

    Returns
    -------
    dict
        The claim's ``name``, ``chapter``, ``statement``, ``stated`` and ``sources``; the
        evidence's ``verdict``, ``effect``, ``low``, ``high``, ``effect_name``, ``test``,
        ``p_value``, ``n``, ``unit`` and ``runs``; and ``agrees`` (``verdict == stated``).

    Raises
    ------
    KeyError
        No claim of that name.
    """
    registry = _registered()
    if name not in registry:
        raise KeyError(f"no claim named {name!r}; the claims are {sorted(registry)}")
    entry = registry[name]
    evidence = entry.decide(load_sources(entry.sources, results_dir))
    if not isinstance(evidence, Evidence):
        raise TypeError(f"claim {name!r}: its decider returned {type(evidence).__name__}, not Evidence")
    fields = {k: v for k, v in dataclasses.asdict(entry).items() if k != "decide"}
    return {**fields, "sources": list(entry.sources), **dataclasses.asdict(evidence),
            "agrees": evidence.verdict == entry.stated}


def evaluate_all(results_dir=None, chapter=None):
    """Decide every registered claim (or one chapter's), in chapter and name order.

    Parameters
    ----------
    results_dir : path-like, optional
        As for :func:`evaluate`.
    chapter : str, optional
        Only the claims of this chapter (``"10_generative_models"``).

    Returns
    -------
    list of dict
        One :func:`evaluate` dict per claim.
    """
    registry = _registered()
    names = sorted(registry, key=lambda n: (registry[n].chapter, n))
    return [evaluate(n, results_dir) for n in names if chapter is None or registry[n].chapter == chapter]


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def claims_markdown(results):
    """The "Claims and evidence" table: one row per evaluated claim, in Markdown.

    Parameters
    ----------
    results : list of dict
        :func:`evaluate_all`'s output.

    Returns
    -------
    str
        A Markdown table: chapter, claim, the verdict the prose states, the verdict of the runs,
        the effect with its interval, the test and p-value, n, and the records read. Numbers are
        shown to 3 significant digits (p-values to 2), so the page reads the same on any CPU.
    """
    lines = ["| chapter | claim | prose says | runs say | effect [95 % interval] | test, p | n | records |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        p = "" if r["p_value"] is None else f", p = {r['p_value']:.2g}"
        runs = r["verdict"] if r["agrees"] else f"**{r['verdict']} (disagrees)**"
        effect = f"{r['effect']:.3g} [{r['low']:.3g}, {r['high']:.3g}] ({r['effect_name']})"
        cells = (r["chapter"], f"`{r['name']}`: {r['statement']}", r["stated"], runs, effect,
                 f"{r['test']}{p}", f"{r['n']} {r['unit']}" + ("" if r.get("runs") is None else
                                                               f", {r['runs']} training run{'s' * (r['runs'] > 1)} per arm"), ", ".join(f"`{s}.json`" for s in r["sources"]))
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
