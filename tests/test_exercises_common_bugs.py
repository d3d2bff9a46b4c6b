"""Each chapter's "Common bugs" list, walked: every bug there that an exercise can make is named by its checker.

The table pairs a phrase of the chapter's list (whitespace-normalised; the test fails if the chapter no longer
says it) with the checker, a learner function that makes the bug, and what the report must say. Bugs that no
exercise can make (comparing runs on one seed, octave errors of a pitch tracker, ...) are not listed.
"""

import importlib
import json
import pathlib
import re

import numpy as np
import pytest
from conftest import run_checker

import lstm_course.exercises as exercises

BOOK = pathlib.Path(__file__).resolve().parents[1] / "book"


def _zoo(path, name):
    """The function of the mistake ``name`` in the zoo ``module.ATTRIBUTE`` (a list, or a function of reset)."""
    module, attribute = path.split(".")
    zoo = getattr(importlib.import_module(f"lstm_course.exercises.{module}"), attribute)
    zoo = zoo("after") if callable(zoo) else zoo
    if isinstance(zoo, dict):
        return zoo[name]
    return next(m.fn for m in zoo if m.name == name)


def _in_place_rnn_backward(dh_t, x_t, h_prev, h_t, p):
    dh_t *= 1 - h_t ** 2
    return dh_t @ p["W_xh"], dh_t @ p["W_hh"], {"W_xh": dh_t.T @ x_t, "W_hh": dh_t.T @ h_prev, "b_h": dh_t.sum(0)}


def _in_place_lstm_backward(dh_t, dc_t, x_t, h_prev, c_prev, p):
    from lstm_course.exercises.lstm import reference_lstm_step_backward

    out = reference_lstm_step_backward(dh_t.copy(), dc_t.copy(), x_t, h_prev, c_prev, p)
    dc_t += 1.0  # dc += ... on the caller's array
    return out


def _reseeding_sampler(logits, temperature, rng):
    from lstm_course.sampling import probabilities, sample_from_uniform

    np.random.seed(0)
    return sample_from_uniform(probabilities(logits[None], temperature), rng.random(1))[0]


def _overflowing_sampler(logits, temperature, rng):
    e = np.exp(logits / temperature)  # no maximum subtracted
    return int(np.searchsorted(np.cumsum(e / e.sum()), rng.random()))


def _tbptt(detach=True, reset=False):
    def step(model, chunk, state):
        import torch

        logits, new_state = model(chunk[:-1], None if reset else state)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunk[1:].reshape(-1))
        return loss, tuple(s.detach() for s in new_state) if detach else new_state

    return step


# (chapter, phrase of its "Common bugs", checker, learner, what the report says)
BUGS = [
    ("03", "transposed weights, silent when $D = H$", "check_rnn_step", ("rnn.RNN_STEP_MISTAKES", "transposed weights"),
     "Likely cause (transposed weights)"),
    ("03", "`1 - h_prev**2`", "check_rnn_step_backward",
     ("rnn.RNN_STEP_BACKWARD_MISTAKES", "derivative at the wrong place"), "derivative at the wrong place"),
    ("03", "`1 - tanh(h_t)**2` when `h_t` already is a $\\tanh$", "check_rnn_step_backward",
     ("rnn.RNN_STEP_BACKWARD_MISTAKES", "tanh applied twice"), "tanh applied twice"),
    ("03", "no gradient carried from step $t+1$", "check_rnn_bptt", ("bptt.BPTT_MISTAKES", "no gradient from step t+1"),
     "no gradient from step t+1"),
    ("03", "weight gradients overwritten instead of summed over steps", "check_rnn_bptt",
     ("bptt.BPTT_MISTAKES", "weight gradients overwritten, not accumulated"), "overwritten, not accumulated"),
    ("03", "writing into the upstream gradient in place", "check_rnn_step_backward", _in_place_rnn_backward,
     "modified its input dh_t in place"),
    ("04", "reading `h_n[0]` as the top layer's final state", "check_stacked_forward",
     ("stacked.STACK_MISTAKES", "h_n in the wrong order"), "h_n in the wrong order"),
    ("04", "only layer 0 reads", "check_stacked_forward", ("stacked.STACK_MISTAKES", "every layer reads xs"),
     "every layer reads xs"),
    ("05", "Reverse-direction outputs left in processing order", "check_reverse_direction",
     ("stacked.REVERSE_MISTAKES", "reverse outputs not re-reversed"), "reverse outputs not re-reversed"),
    ("05", "taking `out[T-1, :, H:]` as the reverse final state", "check_reverse_direction",
     ("stacked.REVERSE_MISTAKES", "wrong final state"), "wrong final state"),
    ("05", "starting the reverse pass at the padded end", "check_reverse_direction",
     ("stacked.REVERSE_MISTAKES", "reverse started at the padded end"), "reverse started at the padded end"),
    ("07", "$[\\mathbf{x}_t; \\mathbf{h}_{t-1}]$ in another", "check_lstm_step",
     ("lstm.LSTM_STEP_MISTAKES", "concatenation in the wrong order"), "concatenation in the wrong order"),
    ("07", "a sigmoid on the content", "check_lstm_step", ("lstm.LSTM_STEP_MISTAKES", "sigmoid where tanh belongs"),
     "sigmoid where tanh belongs"),
    ("07", "without the $\\tanh$", "check_lstm_step", ("lstm.LSTM_STEP_MISTAKES", "h = o * c without the tanh"),
     "h = o * c without the tanh"),
    ("08", "a cell gradient that misses the path through $\\mathbf{h}_t$", "check_lstm_step_backward",
     ("lstm.LSTM_STEP_BACKWARD_MISTAKES", "cell gradient misses the path through h_t"), "misses the path"),
    ("08", "the $\\tanh'$ on that path", "check_lstm_step_backward",
     ("lstm.LSTM_STEP_BACKWARD_MISTAKES", "missing tanh derivative on the cell path"), "missing tanh derivative"),
    ("08", "not scaled by the forget gate", "check_lstm_step_backward",
     ("lstm.LSTM_STEP_BACKWARD_MISTAKES", "dc_prev not scaled by the forget gate"), "not scaled by the forget gate"),
    ("08", "writing into the upstream gradient in place inside the loop", "check_lstm_step_backward",
     _in_place_lstm_backward, "modified its input dc_t in place"),
    ("10", "a carried state that is never detached", "check_tbptt_step", _tbptt(detach=False), "never detached"),
    ("10", "or reset by mistake", "check_tbptt_step", _tbptt(reset=True), "reset by mistake"),
    ("10", "a sampler that re-seeds the global generator", "check_sample_with_temperature", _reseeding_sampler,
     "changed NumPy's global random state"),
    ("10", "$\\exp$ overflowing at low temperature because the maximum logit was not subtracted",
     "check_sample_with_temperature", _overflowing_sampler, "overflows to inf"),
    ("10", "feeding back the argmax while showing the sample", "check_sampling_loop",
     ("sampling_loop.MISTAKES", "the argmax fed back"), "the argmax fed back"),
    ("11", "A softmax over the batch axis instead of the source axis", "check_attention_step",
     ("seq2seq.ATTENTION_MISTAKES", "softmax over the wrong axis"), "softmax over the wrong axis"),
    ("11", "masking with 0 instead of $-\\infty$", "check_attention_step",
     ("seq2seq.ATTENTION_MISTAKES", "padded positions given weight"), "padded positions given weight"),
    ("11", "applying `W_q` to the keys and `W_k` to the query", "check_attention_step",
     ("seq2seq.ATTENTION_MISTAKES", "query and keys swapped"), "query and keys swapped"),
    ("12", "adding probabilities instead of adding log-probabilities", "check_beam_step",
     ("seq2seq.BEAM_MISTAKES", "probabilities added"), "probabilities added"),
    ("12", "extending hypotheses that already ended", "check_beam_step",
     ("seq2seq.BEAM_MISTAKES", "finished hypotheses expanded"), "finished hypotheses expanded"),
    ("12", "ranking different lengths by the raw sum", "check_beam_step",
     ("seq2seq.BEAM_MISTAKES", "no length normalisation"), "no length normalisation"),
    ("13", "Answering from the *first* mention of the person instead of the last", "check_supporting_fact",
     ("qa.MISTAKES", "first mention"), "first mention"),
    ("15", "features that never reach the decoder", "check_initial_state",
     ("conditioned._STATE_MISTAKES", "features ignored"), "features ignored"),
    ("15", "missing tanh (an initial state far outside $(-1, 1)$)", "check_initial_state",
     ("conditioned._STATE_MISTAKES", "tanh forgotten"), "tanh forgotten"),
    ("16", "μ = 256 (codes overflow a 256-way softmax)", "check_mu_law_encode",
     ("conditioned._ENCODE_MISTAKES", "wrong mu (256)"), "wrong mu (256)"),
    ("16", "forgetting to invert the companding when decoding", "check_mu_law_decode",
     ("conditioned._DECODE_MISTAKES", "companding not inverted"), "companding not inverted"),
    ("16", "floor instead of round when quantising", "check_mu_law_encode",
     ("conditioned._ENCODE_MISTAKES", "off-by-one quantisation (floor)"), "off-by-one quantisation (floor)"),
    ("16", "the 256-equal-bins rule", "check_mu_law_encode",
     ("conditioned._ENCODE_MISTAKES", "off-by-one quantisation (256 levels)"), "off-by-one quantisation (256 levels)"),
    ("17", "Mixing torch's gate order ($i, f, g, o$) with ours", "check_fused_lstm_step",
     ("fast.FUSED_STEP_MISTAKES", "torch's gate order"), "torch's gate order"),
    ("17", "applying the sigmoid to the content block", "check_fused_lstm_step",
     ("fast.FUSED_STEP_MISTAKES", "sigmoid on the content"), "sigmoid on the content"),
    ("18", "Loading torch GRU weights into a reset-before implementation", "check_gru_step",
     ("variants._mistakes", "the other reset formulation"), "the other reset formulation"),
    ("18", "Adding $b_{hn}$ into $b_{in}$ when converting a GRU", "check_gru_step",
     ("variants._mistakes", "b_hn folded into b_in"), "b_hn folded into b_in"),
    ("18", "Writing $h_t = z_t \\odot n_t + (1 - z_t) \\odot h_{t-1}$", "check_gru_step",
     ("variants._mistakes", "z and 1 - z swapped"), "z and 1 - z swapped"),
]


def _common_bugs(chapter):
    """The whitespace-normalised text of the chapter's "Common bugs" paragraph (up to its next heading)."""
    path = next(BOOK.glob(f"{chapter}_*.ipynb"))
    for cell in json.loads(path.read_text())["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "Common bugs" in text:
            return " ".join(text[text.index("Common bugs"):].split("\n## ")[0].split())
    return ""


@pytest.mark.parametrize("chapter, phrase, checker, learner, expected", BUGS, ids=lambda v: v if isinstance(v, str)
                         and len(v) < 60 else None)
def test_every_listed_common_bug_is_named_by_its_checker(chapter, phrase, checker, learner, expected):
    listed = _common_bugs(chapter)
    assert " ".join(phrase.split()) in listed, f"ch{chapter}'s Common bugs no longer say {phrase!r}: {listed[:400]}"
    if checker == "check_tbptt_step":
        pytest.importorskip("torch")
    fn = _zoo(*learner) if isinstance(learner, tuple) else learner
    ok, text = run_checker(getattr(exercises, checker), fn)
    assert ok is False and expected in text, text


def test_every_chapter_with_a_coding_checker_has_its_bugs_walked():
    walked = {chapter for chapter, *_ in BUGS}
    assert {"03", "04", "05", "07", "08", "10", "11", "12", "13", "15", "16", "17", "18"} <= walked
    assert all(re.fullmatch(r"\d\d", chapter) for chapter in walked)
