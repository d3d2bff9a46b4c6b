"""Checker for the generative chapter's sampling loop: prime the model, then feed each draw back in.

The learner writes ``my_generate(step, state, prime, length, draw)``:

- ``step(k, state) -> (logits (V,), new_state)`` is one step of a trained
  model reading the symbol ``k``;
- ``state`` is the initial state (an array; do not modify it in place);
- ``prime`` is a list of symbol ids (at least one) to read first;
- ``draw(logits) -> int`` picks the next symbol (temperature sampling with its
  own generator, so that a correct loop gives exactly the reference's draws);

and returns the ``length`` drawn ids (without the prime). The checker runs it
on two small fixed models and names the usual mistakes.
"""

import numpy as np

from ..sampling import sample
from ._harness import Case, Hints, Mistake, both, check_function, type_name


class ToyStep:
    """A small fixed recurrent model: ``h' = tanh(A h + B[:, k])``, ``logits = C h'``."""

    def __init__(self, V, H, seed):
        rng = np.random.default_rng(seed)
        self.seed, self.V = seed, V
        Q, _ = np.linalg.qr(rng.normal(size=(H, H)))  # an orthogonal memory: the state keeps the prefix
        self.A, self.B, self.C = 1.1 * Q, rng.normal(0, 0.8, (H, V)), rng.normal(0, 1.0, (V, H))

    def __call__(self, k, state):
        h = np.tanh(self.A @ np.asarray(state, dtype=np.float64) + self.B[:, int(k)])
        return self.C @ h, h

    def __eq__(self, other):  # the same model (the harness checks that arguments are left unchanged)
        return isinstance(other, ToyStep) and all(np.array_equal(getattr(self, n), getattr(other, n)) for n in "ABC")

    def _lstm_course_plain(self):  # what the checker's child sends back of it, to see whether it was modified
        return {"A": self.A, "B": self.B, "C": self.C}


class Draw:
    """``draw(logits) -> int``: one symbol from softmax(logits / temperature), with its own generator."""

    def __init__(self, temperature, seed):
        self.temperature, self.seed = temperature, seed
        self.rng = np.random.default_rng(seed)

    def __call__(self, logits):
        return int(sample(np.asarray(logits, dtype=np.float64)[None, :], self.rng, self.temperature)[0])

    def __eq__(self, other):  # drawing advances the generator: that is its job, not a modification
        return isinstance(other, Draw) and (self.temperature, self.seed) == (other.temperature, other.seed)

    def _lstm_course_plain(self):
        return (self.temperature, self.seed)


def reference_generate(step, state, prime, length, draw):
    """Read the prime, then ``length`` times: draw from the last logits and feed the draw back."""
    for k in prime:
        logits, state = step(k, state)
    out = []
    for _ in range(length):
        k = draw(logits)
        out.append(k)
        logits, state = step(k, state)  # the draw is the next input
    return np.array(out)


def _feeds_prime_again(step, state, prime, length, draw):
    for k in prime:
        logits, state = step(k, state)
    out = []
    for _ in range(length):
        out.append(draw(logits))
        logits, state = step(prime[-1], state)
    return np.array(out)


def _feeds_argmax(step, state, prime, length, draw):
    for k in prime:
        logits, state = step(k, state)
    out = []
    for _ in range(length):
        out.append(draw(logits))
        logits, state = step(int(np.argmax(logits)), state)
    return np.array(out)


def _greedy(step, state, prime, length, draw):
    for k in prime:
        logits, state = step(k, state)
    out = []
    for _ in range(length):
        out.append(int(np.argmax(logits)))
        logits, state = step(out[-1], state)
    return np.array(out)


def _state_not_carried(step, state, prime, length, draw):
    for k in prime:
        logits, state = step(k, state)
    primed, out = state, []
    for _ in range(length):
        out.append(draw(logits))
        logits, _ = step(out[-1], primed)  # the new state is thrown away
    return np.array(out)


def _last_prime_only(step, state, prime, length, draw):
    return reference_generate(step, state, prime[-1:], length, draw)


def _prime_in_output(step, state, prime, length, draw):
    return np.concatenate([np.asarray(prime), reference_generate(step, state, prime, length, draw)])


MISTAKES = [
    Mistake("the prime fed again", "after the prime, every step reads the prime's last symbol again instead of "
            "the symbol just drawn: feed `k = draw(logits)` back with `step(k, state)`.", _feeds_prime_again),
    Mistake("the argmax fed back", "you return the drawn symbol but feed the most likely one (the argmax) to the "
            "model: the text you show and the text the model reads diverge. Feed back the very symbol you drew.",
            _feeds_argmax),
    Mistake("greedy instead of a draw", "you take the argmax of the logits instead of calling `draw(logits)`: that "
            "is greedy decoding, which repeats itself; sampling needs the draw.", _greedy),
    Mistake("the state not carried", "each step starts again from the state after the prime: keep the new state "
            "that `step` returns (`logits, state = step(k, state)`), or the model forgets what it wrote.",
            _state_not_carried),
    Mistake("only the last prime symbol read", "the model read only the prime's last symbol: run `step` over every "
            "symbol of the prime, in order, so the state summarises the whole prefix.", _last_prime_only),
    Mistake("the prime in the output", "return only the `length` drawn symbols, not the prime in front of them.",
            _prime_in_output),
]


def _argmax_fed_state_not_carried(step, state, prime, length, draw):
    for k in prime:
        logits, state = step(k, state)
    primed, out = state, []
    for _ in range(length):
        out.append(draw(logits))
        logits, _ = step(int(np.argmax(logits)), primed)
    return np.array(out)


MISTAKES.append(both(MISTAKES[1], MISTAKES[3], _argmax_fed_state_not_carried))

CASES = [
    Case("V = 6, prime [1, 4, 2], 16 draws at temperature 1",
         (ToyStep(6, 5, seed=5), np.full(5, 0.1), [1, 4, 2], 16, Draw(1.0, seed=3))),
    Case("V = 5, prime [3, 0], 12 draws at temperature 0.7",
         (ToyStep(5, 4, seed=15), np.linspace(-0.5, 0.5, 4), [3, 0], 12, Draw(0.7, seed=4))),
]

HINTS = Hints(
    nudge="two phases: read the whole prime, so that the state summarises it; then, `length` times, draw a symbol "
          "from the last logits, keep it, and feed that very symbol back in. step(k, state) returns (logits, "
          "new_state); return the `length` drawn ids (not the prime).",
    formula="(logits, state) = step(k, state) for each k of prime in order; then for n = 1 .. length: k_n = "
            "draw(logits); (logits, state) = step(k_n, state); the answer is [k_1, ..., k_length].")


def _check_output(out, expected):
    try:
        ids = np.asarray(out)
    except Exception:  # a learner may return anything
        return f"expected a list of {len(expected)} symbol ids; got {type_name(out)}"
    if ids.dtype == object:
        return f"expected a list of {len(expected)} symbol ids; got {type_name(out)}"
    if ids.shape != expected.shape:
        return f"expected {len(expected)} symbol ids (one per draw); got an output of shape {ids.shape}"
    if not np.issubdtype(ids.dtype, np.integer):
        return f"expected integer symbol ids; got dtype {ids.dtype}"
    return None


def check_sampling_loop(fn, report=print):
    """Check ``fn(step, state, prime, length, draw) -> ids (length,)``, a sampling loop that feeds its output back.

    Returns True when ``fn`` gives exactly the reference's draws on every case;
    otherwise reports the likely mistake and returns False. Never raises.
    """
    return check_function(fn, title="Sampling loop", arg_names=("step", "state", "prime", "length", "draw"),
                          cases=CASES, reference=reference_generate, mistakes=MISTAKES,
                          check_output=_check_output, output_names=("ids",), hints=HINTS, report=report,
                          global_rng_advice="every symbol comes from `draw(logits)`, which has its own generator")


check_sampling_loop.hints = HINTS
