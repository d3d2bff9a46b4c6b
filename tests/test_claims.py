"""Every conclusion the book states is decided by its saved runs, and the verdict is the one the prose gives.

The claims are registered in ``lstm_course.evidence.chapters``; this test re-evaluates each against
``book/results/`` and trains nothing.
"""

import json
import pathlib
import shutil

import pytest

from lstm_course.evidence import claims
from lstm_course.evidence.claims import Evidence, evaluate, evaluate_all, side

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "book" / "results"
NAMES = sorted(claims._registered())


def test_the_book_has_claims():
    assert NAMES, "no claim is registered in lstm_course.evidence.chapters"


@pytest.mark.parametrize("name", NAMES)
def test_each_claim_is_decided_as_the_prose_states(name):
    result = evaluate(name, RESULTS)
    assert result["agrees"], (f"{name}: the prose states {result['stated']!r} but the saved runs give "
                              f"{result['verdict']!r} (effect {result['effect']:.4g}, interval "
                              f"{result['low']:.4g} to {result['high']:.4g}, n = {result['n']})")


@pytest.mark.parametrize("name", NAMES)
def test_each_claim_is_glued_into_its_chapter(name):
    """The chapter that states a claim glues its verdict (``glue_claim``) and cites it in the prose."""
    entry = claims.REGISTRY[name]
    notebook = ROOT / "book" / f"{entry.chapter}.ipynb"
    assert notebook.is_file(), f"{name}: no chapter {entry.chapter}.ipynb"
    cells = json.loads(notebook.read_text())["cells"]
    prose = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert f"claim-{name}-" in prose, f"{name}: {notebook.name} never cites claim-{name}-verdict or its figures"
    assert name in code, f"{name}: {notebook.name} never calls glue_claim({name!r})"


def test_a_single_seed_claim_is_not_a_ranking():
    """A claim over seeds rests on at least 2 (the t interval needs them); the protocol asks 5 for a ranking."""
    short = [r["name"] for r in evaluate_all(RESULTS) if r["unit"] == "seeds" and r["n"] < 2]
    assert not short, short


def test_a_claim_from_one_training_run_says_so():
    """Items of one trained model per arm cannot rank the designs: the sentence must say it is one run."""
    silent = [r["name"] for r in evaluate_all(RESULTS) if r["runs"] == 1 and "one run" not in r["statement"]]
    assert not silent, silent


def _flipped_audio(tmp_path):
    """A copy of the results where the gain and the one-hot ablation have swapped pitch accuracies."""
    folder = tmp_path / "results"
    shutil.copytree(RESULTS, folder)
    study = json.loads((folder / "audio-seeds.json").read_text())
    for run in study["per_seed"].values():
        run["pitch_within_50_cents"], run["ablation_no_film"]["pitch_within_50_cents"] = (
            run["ablation_no_film"]["pitch_within_50_cents"], run["pitch_within_50_cents"])
    (folder / "audio-seeds.json").write_text(json.dumps(study))
    return folder


def test_flipping_one_saved_result_makes_the_claim_disagree(tmp_path):
    flipped = evaluate("ch16-gain-raises-pitch-accuracy", _flipped_audio(tmp_path))
    assert flipped["verdict"] == "contradicted" and not flipped["agrees"]
    assert evaluate("ch16-gain-raises-pitch-accuracy", RESULTS)["agrees"]


def test_a_missing_or_foreign_record_is_one_clear_line(tmp_path):
    with pytest.raises(FileNotFoundError, match="audio-seeds.json"):
        evaluate("ch16-gain-raises-pitch-accuracy", tmp_path)
    (tmp_path / "audio-seeds.json").write_text('{"experiment": "audio"}')
    with pytest.raises(ValueError, match="lacks per_seed, summary"):
        evaluate("ch16-gain-raises-pitch-accuracy", tmp_path)


def test_an_unknown_claim_names_the_known_ones():
    with pytest.raises(KeyError, match="ch16-gain-raises-pitch-accuracy"):
        evaluate("ch99-no-such-claim")


@pytest.mark.parametrize("low, high, favours, verdict", [
    (-0.3, -0.1, "below", "supported"), (0.1, 0.3, "below", "contradicted"), (-0.1, 0.1, "below", "inconclusive"),
    (0.1, 0.3, "above", "supported"), (-0.3, -0.1, "above", "contradicted"), (0.0, 0.2, "above", "inconclusive"),
])
def test_side_reads_an_interval_against_the_line(low, high, favours, verdict):
    assert side(low, high, 0.0, favours) == verdict


def test_side_against_a_threshold():
    assert side(0.91, 0.97, line=0.9, favours="above") == "supported"
    assert side(0.2, 0.4, line=0.5, favours="below") == "supported"


@pytest.mark.parametrize("fields, match", [
    (dict(verdict="true"), "verdict"), (dict(unit="people"), "unit"), (dict(low=1.0, high=0.0), "low <= high"),
    (dict(effect=float("nan")), "finite"), (dict(n=0), "positive integer"),
])
def test_evidence_refuses_what_it_cannot_be(fields, match):
    good = dict(verdict="supported", effect=0.0, low=-1.0, high=1.0, effect_name="d", test="t", n=5, unit="seeds")
    with pytest.raises(ValueError, match=match):
        Evidence(**{**good, **fields})


@pytest.mark.parametrize("args, match", [
    (("Bad Name", "10_x", "s", "supported", "charlm"), "claim name"),
    (("ch10-fine", "10_x", "s", "true", "charlm"), "stated verdict"),
    (("ch10-fine", "10_x", "s", "supported", ()), "source"),
    (("ch16-gain-raises-pitch-accuracy", "16_audio", "s", "supported", "audio"), "twice"),
])
def test_claim_registration_refuses_malformed_claims(args, match):
    with pytest.raises(ValueError, match=match):
        claims.claim(*args)


def test_count_of_recovers_a_saved_count_or_names_the_record():
    assert claims.count_of(0.412, 1000, "translate.json: exact_match") == 412
    with pytest.raises(ValueError, match="translate.json: exact_match = 0.4125 is not a count out of 1000"):
        claims.count_of(0.4125, 1000, "translate.json: exact_match")


def test_a_metric_over_seeds_against_a_fixed_baseline():
    from lstm_course.evidence.claims import against_fixed_baseline

    above = against_fixed_baseline([0.81, 0.83, 0.82, 0.84, 0.80], 0.70, "accuracy, model minus baseline")
    assert above.verdict == "supported" and abs(above.effect - 0.12) < 1e-12 and above.n == 5
    assert above.p_value < 0.001 and above.unit == "seeds"
    level = against_fixed_baseline([0.69, 0.71, 0.70], 0.70, "x")
    assert level.verdict == "inconclusive"
    lower = against_fixed_baseline([2.0, 2.1, 2.05], 2.3, "bits, model minus baseline", favours="below")
    assert lower.verdict == "supported"
    same = against_fixed_baseline([0.5, 0.5], 0.4, "x")
    assert same.p_value is None and same.low == same.high == same.effect
