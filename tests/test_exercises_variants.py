"""The variants chapter's checkers accept the right answers, name each known mistake, and agree with the package."""

import numpy as np
import pytest

from lstm_course import numpy_impl
from lstm_course.exercises import check_gru_step, check_worst_ablation
from lstm_course.exercises.variants import _mistakes, _step


def _run(checker, *args, **kwargs):
    messages = []
    return checker(*args, report=messages.append, **kwargs), "\n".join(messages)


@pytest.mark.parametrize("reset", ["after", "before"])
def test_gru_step_checker_accepts_the_package_step(reset):
    ok, text = _run(check_gru_step, lambda x, h, p: numpy_impl.gru_step_forward(x, h, p, reset)[0], reset=reset)
    assert ok, text


@pytest.mark.parametrize("reset, k", [(reset, k) for reset in ("after", "before")
                                      for k in range(len(_mistakes(reset)))])
def test_gru_step_checker_names_each_mistake(reset, k):
    mistake = _mistakes(reset)[k]
    ok, text = _run(check_gru_step, mistake.fn, reset=reset)
    assert not ok and mistake.name in text, text


def test_gru_step_checker_never_raises_on_nonsense():
    assert not _run(check_gru_step, 3)[0]
    assert not _run(check_gru_step, lambda *a: 1 / 0)[0]
    assert not _run(check_gru_step, _step, reset="sideways")[0]


def test_worst_ablation_before_results_follows_greff_and_after_results_our_measurement():
    assert _run(check_worst_ablation, "no_forget_gate")[0]
    assert _run(check_worst_ablation, " No_Output_Activation ")[0]
    ok, text = _run(check_worst_ablation, "cifg")
    assert not ok and "cost little" in text
    measured = {v: 2.0 for v in ("peephole", "cifg", "no_forget_gate", "no_input_gate", "no_output_gate",
                                 "no_input_activation", "no_output_activation")}
    measured["no_input_gate"] = 2.5
    assert _run(check_worst_ablation, "no_input_gate", measured)[0]
    assert not _run(check_worst_ablation, "no_forget_gate", measured)[0]
    assert not _run(check_worst_ablation, None)[0]
    assert not _run(check_worst_ablation, 7)[0]
    assert not _run(check_worst_ablation, "cifg", {"cifg": "x"})[0]


def test_gru_step_checker_names_b_hn_folded_into_b_in():
    """The chapter's headline conversion bug (review T-XX-03): b_hn added to b_in, outside the reset gate."""
    def folded(x, h, p):
        r = 1 / (1 + np.exp(-(x @ p["W_r"].T + h @ p["U_r"].T + p["b_r"])))
        z = 1 / (1 + np.exp(-(x @ p["W_z"].T + h @ p["U_z"].T + p["b_z"])))
        n = np.tanh(x @ p["W_n"].T + (p["b_in"] + p["b_hn"]) + r * (h @ p["U_n"].T))
        return (1 - z) * n + z * h

    ok, text = _run(check_gru_step, folded)
    assert not ok and "Likely cause (b_hn folded into b_in)" in text, text
