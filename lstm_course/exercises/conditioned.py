"""Checkers for the conditioned-generation chapters: the conditioned initial state, μ-law coding, two readings."""

import numpy as np

from ..data.audio import mu_law_decode, mu_law_encode
from ..numpy_impl.conditioned import init_state_forward
from ._harness import Case, Hints, Mistake, both, check_function, clause, shape_problem, takes_values, type_name

_rng = np.random.default_rng(15)
_STATE_CASES = [Case("B = 2, F = 3, H = 4", (_rng.normal(size=(2, 3)), _rng.normal(size=(4, 3)), _rng.normal(size=4))),
                Case("B = 1, F = 5, H = 2", (_rng.normal(size=(1, 5)), _rng.normal(size=(2, 5)), _rng.normal(size=2)))]

_STATE_MISTAKES = [
    Mistake("features ignored", "h0 does not depend on the features: every image would start the decoder in the same "
            "state, and every caption would be the same. Multiply the features by W_img.",
            lambda f, W, b: np.tile(np.tanh(b), (f.shape[0], 1))),
    Mistake("tanh forgotten", "h0 is the raw projection W_img f + b_img; the LSTM's hidden state lives in (-1, 1) "
            "(it is o * tanh(c)), so squash the projection with tanh.", lambda f, W, b: f @ W.T + b),
    Mistake("bias added twice", "b_img is added twice (perhaps once inside and once outside a helper).",
            lambda f, W, b: np.tanh(f @ W.T + 2 * b)),
    Mistake("bias outside the tanh", "the bias is added after the tanh: h0 = tanh(W_img f) + b_img can leave (-1, 1).",
            lambda f, W, b: np.tanh(f @ W.T) + b),
]


def check_initial_state(fn, report=print):
    """Check ``fn(features (B, F), W_img (H, F), b_img (H,)) -> h0 (B, H)``; never raises."""
    return check_function(fn, title="Conditioned initial state", arg_names=("features", "W_img", "b_img"),
                          cases=_STATE_CASES, reference=init_state_forward, mistakes=_STATE_MISTAKES,
                          check_output=lambda out, exp: shape_problem(out, exp, ["h0"]), output_names=("h0",),
                          hints=INITIAL_STATE_HINTS, report=report)


INITIAL_STATE_HINTS = Hints(
    nudge="h0 is a projection of each image's features, squashed into the range of an LSTM's hidden state (the "
          "chapter's conditioned initial-state equation). Shapes: features (B, F), W_img (H, F), b_img (H,), "
          "h0 (B, H).",
    formula="h0 = tanh(features W_img^T + b_img), one row per image.")
check_initial_state.hints = INITIAL_STATE_HINTS


_x = np.concatenate([np.linspace(-1, 1, 41) + 0.003, [0.0, 1.0, -1.0, 0.0101, -0.4999]])
_x = np.clip(_x, -1, 1)
_ENCODE_CASES = [Case("mu = 255, 46 samples in [-1, 1]", (_x, 255)), Case("mu = 15", (_x, 15))]
_companded = lambda x, mu: np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)

_ENCODE_MISTAKES = [
    Mistake("wrong mu (256)", "you used 256, the number of levels, where mu = 255 belongs (the largest code): "
            "x = 1 then gets code 256, one past the last class of a 256-way softmax.",
            lambda x, mu: mu_law_encode(x, mu + 1)),
    Mistake("mu ignored", "the function always uses mu = 255; use the mu it is given.",
            lambda x, mu: mu_law_encode(x, 255)),
    Mistake("off-by-one quantisation (floor)", "the codes are floor((F(x) + 1) / 2 * mu), one too low for half of "
            "the samples: round to the nearest code, floor(... + 0.5).",
            lambda x, mu: np.floor((_companded(x, mu) + 1) / 2 * mu).astype(np.int64)),
    Mistake("off-by-one quantisation (256 levels)", "the codes are min(floor((F(x) + 1) / 2 * (mu + 1)), mu), the "
            "common scheme that cuts [-1, 1] into mu + 1 equal bins: it is off by one against this chapter's codes, "
            "whose code k decodes to F = 2 k / mu - 1 (the end codes to -1 and 1), so loud samples often get a "
            "neighbouring code (one too low below zero, one too high above). Round to the nearest of those "
            "points: floor((F(x) + 1) / 2 * mu + 0.5).",
            lambda x, mu: np.minimum(np.floor((_companded(x, mu) + 1) / 2 * (mu + 1)), mu).astype(np.int64)),
    Mistake("non-integer codes (not rounded)", "your codes are the real numbers (F(x) + 1) / 2 * mu, not rounded: a "
            "code is a class index of a 256-way softmax, an integer in 0 .. mu. Round to the nearest one, "
            "floor(... + 0.5), and return integers.",
            lambda x, mu: (_companded(x, mu) + 1) / 2 * mu),
    Mistake("no companding", "the samples are quantised uniformly: apply F(x) = sgn(x) ln(1 + mu|x|) / ln(1 + mu) "
            "first, so that quiet samples get more codes.", lambda x, mu: np.floor((x + 1) / 2 * mu + 0.5).astype(np.int64)),
]
_ENCODE_MISTAKES.append(both(_ENCODE_MISTAKES[-1], _ENCODE_MISTAKES[2],
                             lambda x, mu: np.floor((np.asarray(x) + 1) / 2 * mu).astype(np.int64)))


def check_mu_law_encode(fn, report=print):
    """Check ``fn(x (n,) in [-1, 1], mu) -> codes (n,) int in [0, mu]``; never raises."""
    return check_function(fn, title="mu-law encode", arg_names=("x", "mu"), cases=_ENCODE_CASES,
                          reference=mu_law_encode, mistakes=_ENCODE_MISTAKES,
                          check_output=_codes_problem, output_names=("codes",), hints=ENCODE_HINTS, report=report)


def _codes_problem(out, expected):
    """The shape, then the dtype: codes are class indices, so they must be integers (plain data only)."""
    problem = shape_problem(out, expected, ["codes"])
    if problem is None and np.asarray(out).dtype.kind not in "iu":
        return (f"non-integer codes: your codes have dtype {np.asarray(out).dtype}, but a code is a class index of "
                "a 256-way softmax (an embedding row, a target of the cross-entropy): return integers, such as "
                "codes.astype(np.int64)")
    return problem


ENCODE_HINTS = Hints(
    nudge="two stages (the chapter's mu-law equation): compand x with F, which gives quiet samples more "
          "resolution, then map F(x), in [-1, 1], to the nearest of the integer codes 0, 1, ..., mu (code k stands "
          "for F = 2 k / mu - 1). Return integer codes of the shape of x.",
    formula="F(x) = sgn(x) ln(1 + mu |x|) / ln(1 + mu); codes = floor((F(x) + 1) / 2 * mu + 0.5), as integers.")
check_mu_law_encode.hints = ENCODE_HINTS


_DECODE_CASES = [Case("mu = 255, all 256 codes", (np.arange(256), 255)), Case("mu = 15", (np.arange(16), 15))]
_DECODE_MISTAKES = [
    Mistake("companding not inverted", "you returned y = 2 c / mu - 1, which is F(x), not x: invert it with "
            "x = sgn(y) ((1 + mu)^|y| - 1) / mu.", lambda c, mu: 2 * np.asarray(c) / mu - 1),
    Mistake("companding applied again", "you applied F a second time instead of its inverse: use "
            "((1 + mu)^|y| - 1) / mu, not ln(1 + mu|y|) / ln(1 + mu).",
            lambda c, mu: _companded(2 * np.asarray(c) / mu - 1, mu)),
    Mistake("wrong mu (256)", "you used mu = 256; for 256 levels mu = 255.", lambda c, mu: mu_law_decode(c, mu + 1)),
    Mistake("off-by-one quantisation", "you divided the code by mu + 1 (the number of levels) instead of mu (the "
            "number of steps): code mu must map back to y = 1.",
            lambda c, mu: mu_law_decode(np.asarray(c) * mu / (mu + 1), mu)),
]


def check_mu_law_decode(fn, report=print):
    """Check ``fn(codes (n,) int, mu) -> x (n,)`` in [-1, 1]; never raises."""
    return check_function(fn, title="mu-law decode", arg_names=("codes", "mu"), cases=_DECODE_CASES,
                          reference=mu_law_decode, mistakes=_DECODE_MISTAKES,
                          check_output=lambda out, exp: shape_problem(out, exp, ["x"]), output_names=("x",),
                          hints=DECODE_HINTS, report=report)


DECODE_HINTS = Hints(
    nudge="undo the two stages of encoding in reverse order: from the code back to a point y in [-1, 1], then "
          "invert the companding F. Return x of the shape of codes, in [-1, 1].",
    formula="y = 2 codes / mu - 1; x = sgn(y) ((1 + mu)^|y| - 1) / mu.")
check_mu_law_decode.hints = DECODE_HINTS


QUESTIONS = {
    "spectrogram": {
        "question": "In the spectrogram of a real Karplus-Strong note, what happens to the horizontal lines "
                    "(the harmonics) over time? 'a' all fade at the same rate; 'b' the high ones fade first, the "
                    "fundamental lasts longest; 'c' the fundamental fades first; 'd' they glide upwards in pitch.",
        "answer": "b",
        "hints": {"a": "look at the top of the plot after 0.1 s: the upper lines are gone while the lowest remains. "
                       "The two-point average scales a harmonic at f by cos(pi f / f_s) every period.",
                  "c": "it is the other way round: the averaging filter passes low frequencies almost unchanged.",
                  "d": "the delay N is fixed, so the lines stay at f_0 = f_s / (N + 1/2) and its multiples."},
        "general": "the averaging y[n] = (y[n-N] + y[n-N-1]) / 2 is a low-pass filter applied once per period.",
    },
    "attribute-table": {
        "question": "A captioner scores colour 0.98 and shape 0.97 on the ordinary test split, but colour 0.40 "
                    "on scenes with held-out combinations (a green triangle, never seen in training). What does "
                    "this show? 'a' it cannot see colour; 'b' it learned combinations it saw, not colour and shape "
                    "separately, so it fails to compose them; 'c' the test split is mislabelled.",
        "answer": "b",
        "hints": {"a": "on the ordinary split it names colours 98% of the time: it sees colour. The failure is only "
                       "on unseen pairings.",
                  "c": "both splits come from the same generator and grammar; only the pairings differ."},
        "general": "compare the same attribute between the two splits: only the combination changed.",
    },
    "lookup": {
        "question": "On single-object test scenes a captioner gets colour 1.00, shape 0.03 and lookup rate 0.97 "
                    "(the share of its captions that name a shape training showed alone with the scene's true "
                    "size and colour; no test object ever stands alone in training). What does it show? 'a' the "
                    "parser is broken; 'b' it names the shape that training showed alone in that size and "
                    "colour, not the one in the image; 'c' the test images are mislabelled.",
        "answer": "b",
        "hints": {"a": "the same parser reads colour and size right on every one of these captions, and it reads "
                       "the reference captions back to their scenes exactly: the wrong shapes are in the captions",
                  "c": "the labels are the scenes the images were drawn from, and colour and size, read from the "
                       "same images, are right every time; a captioner that reads the image at every step names "
                       "these shapes correctly"},
        "general": "the wrong shapes are not random: 0.97 of them are a shape that stands alone, in that size and "
                   "colour, in a training caption.",
    },
}


@takes_values
def check_conditioned_answer(question, answer, report=print):
    """Check ``answer`` (a letter, as a string) to ``QUESTIONS[question]``; explain a wrong one; never raise."""
    if not isinstance(question, str) or question not in QUESTIONS:
        report(f"Unknown question {_short(question)}; choose from {sorted(QUESTIONS)}.")
        return False
    q = QUESTIONS[question]
    if answer is None:
        report(f"Not answered yet. {q['question']}")
        return False
    if not isinstance(answer, str):
        report(f"Not yet: give a letter as a string, such as 'a'; got {_short(answer)} "
               f"({type_name(answer)}). {q['question']}")
        return False
    given = answer.strip().lower()
    if given == q["answer"]:
        report("Correct.")
        return True
    report(f"Not yet: {clause(q['hints'].get(given, 'that is not one of the choices'))}. Hint: {q['general']}")
    return False


def _short(value, limit=60):
    """``repr(value)`` cut to ``limit`` characters; never raises."""
    try:
        text = repr(value)
    except Exception:  # a learner's object whose repr fails
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[:limit - 3] + "..."
