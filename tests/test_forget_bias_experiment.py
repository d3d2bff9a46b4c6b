"""The keep-bias experiment of the variants chapter: its GRU bias shifts b_z only, its quick run has every arm."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lstm_course import __main__ as cli
from lstm_course.experiments.forget_bias import FORGET_BIASES, UPDATE_BIASES
from lstm_course.models.cell_net import CellNet, init_cell_params


def test_update_bias_shifts_the_grus_b_z_and_nothing_else():
    plain = init_cell_params("gru", 2, 4, np.random.default_rng(3))[0]["forward"]
    biased = init_cell_params("gru", 2, 4, np.random.default_rng(3), update_bias=1.0)[0]["forward"]
    assert set(plain) == set(biased)
    for key in plain:
        expected = plain[key] + (1.0 if key == "b_z" else 0.0)
        assert np.allclose(biased[key], expected) and biased[key].dtype == np.float32, key


def test_update_bias_on_a_cell_without_an_update_gate_is_refused():
    with pytest.raises(ValueError, match="update_bias applies to the GRU only"):
        CellNet("lstm", 2, 3, 1, np.random.default_rng(0), update_bias=1.0)


def test_run_forget_bias_quick_has_every_arm_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    cli.main(["run", "forget-bias", "--quick"])
    out, err = capsys.readouterr()
    assert "adding problem: gru, b_z = 1, seed 1" in err  # progress goes to stderr
    metrics = json.loads(out.strip().splitlines()[-1])
    metrics = metrics.get("metrics", metrics)
    assert set(metrics["lstm_by_forget_bias"]) == {f"{b:g}" for b in FORGET_BIASES}
    assert set(metrics["gru_by_update_bias"]) == {f"{b:g}" for b in UPDATE_BIASES}
    for arm in (*metrics["lstm_by_forget_bias"].values(), *metrics["gru_by_update_bias"].values()):
        assert len(arm["per_seed"]) == metrics["seeds"] == 2
        assert all(0.0 <= v <= 1.0 for v in arm["per_seed"])
        assert arm["solved"] == sum(v > metrics["solved_threshold"] for v in arm["per_seed"])
    assert abs(metrics["keep_at_init"]["1"] - 0.7311) < 1e-4
    assert not list(tmp_path.iterdir()), "the quick run wrote a file nobody asked for"


def test_swapping_the_saved_b_f_arms_makes_the_chapters_claim_disagree(tmp_path):
    import pathlib
    import shutil

    from lstm_course.evidence.claims import evaluate

    results = pathlib.Path(__file__).resolve().parents[1] / "book" / "results"
    for name in ("forget-bias.json", "variants.json"):
        shutil.copy(results / name, tmp_path / name)
    record = json.loads((tmp_path / "forget-bias.json").read_text())
    arms = record["metrics"]["lstm_by_forget_bias"]
    arms["0"], arms["1"] = arms["1"], arms["0"]
    (tmp_path / "forget-bias.json").write_text(json.dumps(record))
    assert evaluate("ch18-forget-bias-1-beats-0", results)["agrees"]
    flipped = evaluate("ch18-forget-bias-1-beats-0", tmp_path)
    assert flipped["verdict"] == "contradicted" and not flipped["agrees"]
