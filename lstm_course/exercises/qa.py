"""Checker for the question-answering chapter: find the supporting fact of a single-fact question."""

import numpy as np

from ..data.stories import single_fact_story
from . import runner
from ._harness import Hints, _text, describe_error, not_attempted, type_name


def _reference(story, person):
    return max(s for s, sentence in enumerate(story) if sentence[0] == person)


MISTAKES = {
    "first mention": lambda story, person: min(s for s, sentence in enumerate(story) if sentence[0] == person),
    "counting from 1": lambda story, person: _reference(story, person) + 1,
}
EXPLANATIONS = {
    "first mention": "people move: where someone *is* is decided by the last sentence that moves them, not the "
                     "first one.",
    "counting from 1": "sentence indices start at 0 here, as Python's do (the first sentence is 0).",
}


HINTS = Hints(
    nudge="people move: which of the sentences that mention the person decides where they are now? Return its "
          "index in the story, as one int.",
    formula="the answer is the index (counting from 0) of the last sentence whose subject, its first word, is "
            "the person.")


def check_supporting_fact(fn, report=print):
    """Check ``fn(story, person) -> int``, the index of the sentence that answers "where is person?".

    ``story`` is a list of sentences, each a list of words such as
    ``["Mary", "went", "to", "the", "kitchen", "."]``. Never raises.
    """
    if not callable(fn):
        report(f"Supporting fact: expected a function, got {type(fn).__name__}.")
        return False
    rng = np.random.default_rng(3)
    cases = []
    for case in range(20):
        story, question, _, supporting = single_fact_story(rng, 3 + case % 6)
        cases.append((story, question[2], supporting[0]))
    results, error = runner.run_calls(fn, [([list(s) for s in story], person) for story, person, _ in cases],
                                      send_args=False)  # one child process for the 20 calls; plain data back
    for n, (story, person, answer) in enumerate(cases):
        if n == len(results):
            if not_attempted(error):
                report("Supporting fact: not attempted yet. Replace `raise NotImplementedError` with your code.\n"
                       f"Hint: {HINTS.nudge}")
            else:
                report(f"Supporting fact: {describe_error(error)}.\nHint: {HINTS.formula}")
            return False
        out = results[n][0]
        if isinstance(out, np.ndarray) and out.shape == () and out.dtype.kind in "iu":
            out = out[()]
        if isinstance(out, (bool, np.bool_)) or not isinstance(out, (int, np.integer)):
            report(f"Supporting fact: return the index of the sentence as one integer; got {_text(out, 60)} "
                   f"({type_name(out)}).\nHint: {HINTS.formula}")
            return False
        out = int(out)
        if out == answer:
            continue
        text = " / ".join(" ".join(s) for s in story)
        for name, wrong in MISTAKES.items():
            if out == wrong(story, person):
                report(f"Supporting fact: not yet right for '{person}' in: {text}\n"
                       f"Likely cause ({name}): {EXPLANATIONS[name]}\nHint: {HINTS.formula}")
                return False
        said = (f"sentence {out} ({' '.join(story[out])})" if 0 <= out < len(story) else
                f"{out}, which is not a sentence index of this story (0 to {len(story) - 1})")
        report(f"Supporting fact: for '{person}' in: {text}\nyou returned {said}: it does not decide where "
               f"{person} is, and it matches none of the common mistakes.\nHint: {HINTS.formula}")
        return False
    report("Supporting fact: correct on 20 stories.")
    return True


check_supporting_fact.hints = HINTS
