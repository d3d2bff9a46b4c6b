"""Seed studies: the summary uses the protocol, a stopped study resumes, TOLERANCES follow the saved spread."""

import json
import pathlib

import pytest

from lstm_course.experiments import audio, charlm, seeds

RESULTS = pathlib.Path(__file__).resolve().parents[1] / "book" / "results"


def _charlm_seed(s):
    return {"val_bpc": 2.0 + 0.01 * s, "val_over_bigram": 0.57 + 0.001 * s, "steps": 1200, "samples": ["x"]}


def _audio_seed(s):
    errors = [3.0, -60.0, None, 10.0] if s % 2 else [3.0, 4.0, 5.0, 70.0]
    return {"val_bits_per_sample": 3.0 + 0.02 * s, "pitch_within_50_cents": 0.5 if s % 2 else 0.75,
            "generated_pitch": ["E2", "E2", "A2", "A2"], "generated_error_cents": errors,
            "ablation_no_film": {"val_bits_per_sample": 3.5, "conditioning": "one-hot"}, "frame_gain": [[1.0]]}


def test_summary_of_charlm_seeds_is_the_seed_summary():
    per_seed = {str(s): seeds._kept("charlm", _charlm_seed(s)) for s in range(5)}
    summary = seeds.summarise("charlm", per_seed)
    assert summary["seeds"] == [0, 1, 2, 3, 4] and "samples" not in per_seed["0"]
    assert summary["val_bpc"]["mean"] == pytest.approx(2.02) and summary["val_bpc"]["n"] == 5
    assert summary["val_bpc"]["low"] < 2.02 < summary["val_bpc"]["high"]
    assert seeds.tolerances(summary) == pytest.approx({"val_bpc": 3 * summary["val_bpc"]["sd"],
                                                       "val_over_bigram": 3 * summary["val_over_bigram"]["sd"]})


def test_audio_summary_pools_the_notes_with_wilson_and_by_pitch():
    per_seed = {str(s): seeds._kept("audio", _audio_seed(s)) for s in range(2)}
    summary = seeds.summarise("audio", per_seed)
    wilson, clustered = summary["pitch_pooled_wilson"], summary["pitch_pooled_by_pitch"]
    assert (wilson["successes"], wilson["n"]) == (5, 8) and clustered["clusters"] == 2 and clustered["rate"] == 5 / 8
    assert summary["pitch_within_50_cents"]["mean"] == pytest.approx(0.625)
    assert per_seed["0"]["ablation_no_film"] == {"val_bits_per_sample": 3.5} and "frame_gain" not in per_seed["0"]


def test_run_seeds_saves_after_each_seed_and_resumes(tmp_path, monkeypatch):
    calls = []

    def fake(name, quick, seed, device, progress):
        calls.append(seed)
        if seed == 2:
            raise KeyboardInterrupt  # stopped during the third seed
        return _charlm_seed(seed)

    monkeypatch.setattr("lstm_course.experiments.run_experiment", fake)
    with pytest.raises(KeyboardInterrupt):
        seeds.run_seeds("charlm", 4, results=tmp_path, progress=lambda m: None)
    saved = json.loads((tmp_path / "charlm-seeds.json").read_text())
    assert sorted(saved["per_seed"]) == ["0", "1"] and saved["summary"]["val_bpc"]["n"] == 2
    monkeypatch.setattr("lstm_course.experiments.run_experiment",
                        lambda name, quick, seed, device, progress: calls.append(seed) or _charlm_seed(seed))
    record = seeds.run_seeds("charlm", 4, results=tmp_path, progress=lambda m: None)
    assert calls == [0, 1, 2, 2, 3] and record["summary"]["val_bpc"]["n"] == 4


def test_run_seeds_refuses_a_file_that_is_not_its_study_before_any_run(tmp_path, monkeypatch):
    (tmp_path / "audio-seeds.json").write_text("my notes")
    monkeypatch.setattr("lstm_course.experiments.run_experiment", lambda *a, **k: pytest.fail("ran"))
    with pytest.raises(ValueError, match="is not a seed study of audio"):
        seeds.run_seeds("audio", 1, results=tmp_path)
    with pytest.raises(ValueError, match="one of"):
        seeds.run_seeds("vanishing", 1, results=tmp_path)
    assert (tmp_path / "audio-seeds.json").read_text() == "my notes"


@pytest.mark.parametrize("name, module", [("charlm", charlm), ("audio", audio)])
def test_tolerances_cover_three_sd_of_the_saved_seed_study(name, module):
    assert set(module.TOLERANCES) == set(seeds.HEADLINES[name])
    path = RESULTS / f"{name}-seeds.json"
    if not path.exists():
        pytest.skip(f"{path.name} not saved yet: TOLERANCES are provisional")
    derived = seeds.tolerances(json.loads(path.read_text())["summary"])
    for metric, tolerance in module.TOLERANCES.items():
        assert tolerance >= derived[metric] * 0.999, f"{name}.TOLERANCES[{metric!r}] below 3 sd of the seeds"
