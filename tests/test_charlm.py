"""The generative chapter's claims: truncated BPTT, the cross-validated training loop, checkpoints, the tool."""

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from lstm_course.gradcheck import check_gradients
from lstm_course.numpy_impl.charlm import charlm_loss, init_charlm, tbptt_gradients
from lstm_course.tree import tree_items


@pytest.fixture
def small(rng):
    return init_charlm(V=5, H=4, rng=rng), rng.integers(0, 5, size=(9, 3))


def test_tbptt_with_k_equal_to_T_reproduces_full_bptt_exactly(small):
    model, ids = small
    loss, grads, _ = charlm_loss(model, ids)
    loss_k, grads_k, _ = tbptt_gradients(model, ids, k=8)
    assert loss_k == loss
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(tree_items(grads), tree_items(grads_k)))


def test_tbptt_carries_the_state_so_the_loss_is_unchanged_but_cuts_the_gradient(small):
    model, ids = small
    loss, grads, _ = charlm_loss(model, ids)
    loss_k, grads_k, _ = tbptt_gradients(model, ids, k=3)
    assert abs(loss_k - loss) < 1e-12, "the forward pass sees the same states"
    W_hh_part = lambda g: g["lstm"][0]["forward"]["W_f"]
    assert not np.allclose(W_hh_part(grads), W_hh_part(grads_k)), "the gradient across chunk boundaries is cut"


def test_charlm_gradients_match_central_differences(small):
    model, ids = small
    _, grads, _ = charlm_loss(model, ids)
    errors = check_gradients(lambda: charlm_loss(model, ids)[0], model, grads)
    assert max(errors.values()) < 1e-6, errors


def test_numpy_and_torch_training_loops_give_the_same_losses_for_20_steps():
    pytest.importorskip("torch")
    from lstm_course.experiments.crossval import cross_validate_training

    losses = cross_validate_training(steps=20)
    diff = np.max(np.abs(np.array(losses["numpy"]) - np.array(losses["torch"])))
    assert diff < 1e-10, f"float64, same optimiser: the losses differ by {diff:.1e}"
    assert losses["numpy"][-1] < losses["numpy"][0], "and they do train"


def test_checkpoint_round_trip_and_clear_errors(tmp_path, small):
    from lstm_course.checkpoint import load_checkpoint, save_checkpoint

    model, _ = small
    path = tmp_path / "model.npz"
    save_checkpoint(path, model, "abcde", {"num_layers": 1})
    loaded, chars, meta = load_checkpoint(path)
    assert chars == "abcde" and meta == {"num_layers": 1}
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(tree_items(model), tree_items(loaded)))
    with pytest.raises(FileNotFoundError, match="checkpoint not found"):
        load_checkpoint(tmp_path / "missing.npz")
    (tmp_path / "bad.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a valid checkpoint"):
        load_checkpoint(tmp_path / "bad.npz")
    np.savez(tmp_path / "pickled.npz", vocab=np.array([object()], dtype=object), meta=np.array("{}"))
    with pytest.raises(ValueError, match="not a valid checkpoint"):
        load_checkpoint(tmp_path / "pickled.npz")  # object arrays would need pickle: refused


def _cli(*args, cwd, timeout=120):
    """Run the tool in ``cwd`` (a temporary folder), so a checkpoint left in the repository cannot change the answer."""
    return subprocess.run([sys.executable, "-m", "lstm_course", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


def test_empty_corpus_and_unknown_prime_characters_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = _cli("run", "charlm", "--corpus", str(empty), "--minutes", "0.01", cwd=tmp_path)
    assert result.returncode != 0 and "empty or too short" in result.stderr
    result = _cli("run", "charlm", "--corpus", str(tmp_path / "nope.txt"), cwd=tmp_path)
    assert result.returncode != 0 and "corpus file not found" in result.stderr


def _interruptible():
    """In the child: Ctrl-C's default action, even when pytest runs as a background job (which ignores SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_charlm_tool_trains_samples_and_keeps_its_checkpoint_on_ctrl_c(tmp_path):
    checkpoint = tmp_path / "charlm.npz"
    process = subprocess.Popen([sys.executable, "-m", "lstm_course", "run", "charlm", "--quick", "--minutes", "2",
                                "--checkpoint", str(checkpoint)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_interruptible)
    seen = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # wait until training has started: the bar's first line
        line = process.stderr.readline()
        seen.append(line)
        if "charlm, 2 min:" in line or not line:
            break
    time.sleep(3)  # a few training steps in
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    err = "".join(seen) + err
    assert process.returncode == 0, err
    metrics = json.loads(out.strip().splitlines()[-1])
    assert metrics["interrupted"] and checkpoint.exists()
    assert {"val_bpc", "bigram_bpc", "unigram_bpc", "steps", "chars_per_second"} <= set(metrics)
    result = _cli("sample", str(checkpoint), "--prime", "def ", "--length", "20", "--temperature", "0.5", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("def ") and len(result.stdout.rstrip("\n")) >= 20
    result = _cli("sample", str(checkpoint), "--prime", "naïve€", cwd=tmp_path)
    assert result.returncode != 0 and "not in the vocabulary" in result.stderr
    result = _cli("sample", str(tmp_path / "missing.npz"), cwd=tmp_path)
    assert result.returncode != 0 and "checkpoint not found" in result.stderr


def _dna(tmp_path, n=4000, seed=0):
    path = tmp_path / "dna.txt"
    path.write_text("".join(np.random.default_rng(seed).choice(list("ACGT"), n)))
    return str(path)


def test_a_run_is_defined_by_its_steps_and_records_them(tmp_path):
    from lstm_course.experiments.charlm import train_charlm

    small_run = dict(corpus=_dna(tmp_path), H=8, T=10, B=4, progress=lambda message: None, curve_points=2)
    first = train_charlm(steps=6, **small_run)
    assert first["steps"] == first["step_budget"] == 6 and first["minutes"] is None
    assert first["val_curve_steps"] == [0, 3, 6]
    again = train_charlm(steps=6, **small_run)
    assert again["val_bpc"] == first["val_bpc"] and again["val_curve_bpc"] == first["val_curve_bpc"]


def test_samples_along_the_curve_leave_the_training_unchanged(tmp_path):
    from lstm_course.experiments.charlm import train_charlm

    small_run = dict(corpus=_dna(tmp_path), H=8, T=10, B=4, progress=lambda message: None, curve_points=2)
    plain = train_charlm(steps=6, **small_run)
    sampled = train_charlm(steps=6, samples=(1.0,), **small_run)
    assert sampled["val_bpc"] == plain["val_bpc"] and sampled["val_curve_bpc"] == plain["val_curve_bpc"]
    assert len(sampled["val_curve_samples"]) == len(sampled["val_curve_steps"]) == 3 and "val_curve_samples" not in plain
    assert all(text.startswith(sampled["sample_prime"]) for text in sampled["val_curve_samples"])


def test_a_corpus_without_the_default_prime_is_sampled_from_its_own_text(tmp_path):
    from lstm_course.data.corpus import load_corpus
    from lstm_course.experiments.charlm import sample_prime, train_charlm

    corpus = _dna(tmp_path)
    data = load_corpus(corpus)
    assert sample_prime(data.vocab, data.validation) == data.vocab.decode(data.validation[:4])
    metrics = train_charlm(steps=2, corpus=corpus, H=8, T=10, B=4, progress=lambda message: None, samples=(1.0,))
    assert metrics["sample_prime"] == data.vocab.decode(data.validation[:4])
    assert metrics["samples"][0].startswith(metrics["sample_prime"]) and set(metrics["samples"][0]) <= set("ACGT")
    python = load_corpus()
    assert sample_prime(python.vocab, python.validation) == "def "


@pytest.mark.parametrize("options, message", [({"steps": 0}, "steps must be a positive integer"),
                                              ({"steps": 2.5}, "steps must be a positive integer"),
                                              ({"steps": True}, "steps must be a positive integer"),
                                              ({"minutes": float("nan")}, "minutes must be a positive number"),
                                              ({"minutes": -1}, "minutes must be a positive number")])
def test_bad_budgets_are_refused_before_any_work(options, message, monkeypatch):
    from lstm_course.experiments import charlm

    monkeypatch.setattr(charlm, "load_corpus", lambda *a: pytest.fail("loaded the corpus"))
    with pytest.raises(ValueError, match=message):
        charlm.train_charlm(**options)


def test_the_full_and_quick_runs_default_to_fixed_step_budgets(monkeypatch):
    from lstm_course.experiments import charlm

    seen = []
    monkeypatch.setattr(charlm, "train_charlm", lambda **kwargs: seen.append(kwargs) or {})
    charlm.run(progress=None)
    charlm.run(quick=True, progress=None)
    charlm.run(minutes=1.5, progress=None)
    charlm.run(steps=7, progress=None)
    assert [(k["steps"], k["minutes"]) for k in seen] == [(charlm.FULL_STEPS, None), (charlm.QUICK_STEPS, None),
                                                          (None, 1.5), (7, None)]


def test_a_minutes_budget_covers_the_whole_call(tmp_path):
    from lstm_course.experiments.charlm import train_charlm

    metrics = train_charlm(minutes=0.002, corpus=_dna(tmp_path), H=8, T=10, B=4, progress=lambda message: None)
    assert metrics["minutes"] == 0.002 and metrics["step_budget"] is None and metrics["steps"] >= 0


def test_a_short_run_that_loses_to_a_count_baseline_says_so_in_one_line():
    from lstm_course.experiments.charlm import FULL_STEPS, losing_to_a_baseline

    metrics = {"val_bpc": 4.0, "bigram_bpc": 3.5, "unigram_bpc": 4.5, "steps": 40}
    line = losing_to_a_baseline(metrics)
    assert line.startswith("this run loses to the bigram baseline: 4.000 bits/char against 3.500, after 40 steps")
    assert f"({FULL_STEPS:,} steps) is book/results/charlm.json" in line and "\n" not in line
    assert "unigram baseline: 5.000" in losing_to_a_baseline(dict(metrics, val_bpc=5.0))
    assert "charlm-shakespeare.json" in losing_to_a_baseline(metrics, "shakespeare")
    assert losing_to_a_baseline(dict(metrics, val_bpc=2.0)) is None
