"""Multiple-choice and numeric questions, each wrong answer with its own explanation."""

import math

import numpy as np

from ._harness import _text, clause, protect, takes_values, type_name

QUESTIONS = {
    "bound-steps": {
        "question": "A tanh RNN has W_hh = 0.9 Q with Q orthogonal. By Pascanu et al.'s bound, after how many steps k "
                    "is ||dh_T/dh_{T-k}|| guaranteed to be below 1e-6? (the smallest integer k)",
        "answer": math.ceil(math.log(1e-6) / math.log(0.9)),
        "hints": {
            math.floor(math.log(1e-6) / math.log(0.9)): "close: the bound 0.9^k falls below 1e-6 only after that many "
                                                        "steps plus one (round up, not down).",
            6: "that would be for a factor of 0.1 per step; here each step multiplies the bound by 0.9.",
        },
        "general": "the bound is (gamma * lambda_1)^k with gamma = 1 for tanh and lambda_1 = 0.9: solve 0.9^k < 1e-6, "
                   "k > ln(1e-6) / ln(0.9).",
    },
    "which-lstm-adds": {
        "question": "In our runs of the adding problem at T = 100, which LSTM learned within the budget: "
                    "'a' with a forget gate (b_f = 1 at initialisation), or 'b' the 1997 cell without one?",
        "answer": "b",
        "hints": {"a": "at initialisation f_t = sigma(1 + ...) is about 0.73, and 0.73^100 is about 1e-14: the signal "
                       "from the marked values, 50 to 100 steps back, is gone before training can use it."},
        "general": "compare the gradient reaching x_t at initialisation in the vanishing-gradient chapter.",
    },
    "no-forget-stream": {
        "question": "On the continual Reber stream, why does the LSTM without a forget gate do worse? "
                    "'a' it has fewer trainable parameters; 'b' its cell state grows without any bound; "
                    "'c' it cannot tell the symbols T and P apart.",
        "answer": "b",
        "hints": {"a": "it does have fewer trainable weights (the forget gate's are pinned, so no gradient moves "
                       "them), but that is not what fails: look at |c| along the stream.",
                  "c": "on separate strings, with a reset between them, the 1997 cell solves embedded Reber; the "
                       "symbols are not the problem."},
        "general": "look at the cell-state norm along the stream in the figure.",
    },
    "stream-cell-size": {
        "question": "Predict before you read the result: both LSTMs (H = 8) are trained on the continual Reber "
                    "stream and then read a fresh stream of 800 strings (about 10,000 symbols) without a reset. "
                    "What is the mean |c| over the units at the end of it? 'a' under 2 for both; 'b' between 2 "
                    "and 50 with the forget gate, over 1,000 without; 'c' over 1,000 for both; 'd' between 2 and "
                    "50 for both.",
        "answer": "b",
        "hints": {"a": "without a forget gate nothing ever takes from the cell: c_t = c_(t-1) + i_t c_tilde_t, and "
                       "each step may add up to 1 in either direction; a learned drift adds up over 10,000 steps.",
                  "c": "the forget gate can scale the cell by f_t < 1 at every step; a network that learned to "
                       "reset after each string keeps |c| near what one string adds.",
                  "d": "the 1997 cell has f_t = 1: a drift of even 0.1 per step reaches 1,000 after 10,000 "
                       "steps."},
        "general": "write c_t for f_t = 1 as a sum over all the steps read so far, and ask how large one term is.",
    },
    "loss-curve": {
        "question": "Read the two plots of training and validation loss: which model is overfitting? "
                    "('A' or 'B')",
        "answer": "A",
        "hints": {"B": "B is underfitting: training and validation agree, so it has not memorised anything, and both "
                       "are high, so it has not learned enough yet (more capacity or more training would help)."},
        "general": "overfitting shows as a gap: training keeps improving while held-out data gets worse.",
    },
}


def _is_integer(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


@protect
@takes_values
def check_answer(question, answer, report=print):
    """Check ``answer`` to ``QUESTIONS[question]``; explain a wrong one; never raise.

    Numeric questions take an integer; lettered ones take a string (case and
    surrounding spaces do not matter). An answer of another type is told which
    type to give.
    """
    if not isinstance(question, str) or question not in QUESTIONS:
        report(f"Unknown question {_text(question, 60)!r}; choose from {sorted(QUESTIONS)}.")
        return False
    q = QUESTIONS[question]
    if answer is None:
        report(f"Not answered yet. {q['question']}")
        return False
    if _is_integer(q["answer"]):
        if not _is_integer(answer):
            report(f"Not yet: this question takes a whole number, such as 7; got {_text(answer, 60)} "
                   f"({type_name(answer)}). {q['question']}")
            return False
        given, hints = int(answer), q["hints"]
    else:
        if not isinstance(answer, str):
            report(f"Not yet: this question takes a letter as a string, such as 'a'; got {_text(answer, 60)} "
                   f"({type_name(answer)}). {q['question']}")
            return False
        given = answer.strip().lower()
        hints = {key.lower(): hint for key, hint in q["hints"].items()}
    if given == (q["answer"].lower() if isinstance(q["answer"], str) else q["answer"]):
        report("Correct.")
        return True
    report(f"Not yet: {clause(hints.get(given, 'that is not it'))}. Hint: {q['general']}")
    return False
