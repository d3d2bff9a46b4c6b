"""Chapter 1's exercise: which input/output shape does each task have?"""

from ._harness import _text, protect, takes_values, type_name

SHAPES = ("many-to-one", "one-to-many", "aligned many-to-many", "encoder-decoder")

TASKS = {
    "sentiment analysis": ({"many-to-one"}, "a whole review goes in, one label comes out."),
    "image captioning": ({"one-to-many"}, "one image goes in (once), a sentence comes out word by word."),
    "question answering": ({"encoder-decoder", "many-to-one"},
                           "a question (and context) is read in full before an answer of its own length "
                           "is written; if answers come from a fixed list, it is many-to-one."),
    "audio synthesis": ({"one-to-many", "aligned many-to-many"},
                        "from a seed or a conditioning signal the model emits samples one after another, each "
                        "fed back in; conditioned frame by frame on aligned features it is aligned many-to-many."),
    "part-of-speech tagging": ({"aligned many-to-many"}, "one tag per word, aligned with the input."),
    "machine translation": ({"encoder-decoder"},
                            "sentence lengths differ between languages and word order changes, so the output "
                            "is not aligned with the input: read it all, then write."),
}


@protect
@takes_values
def check_task_shapes(answer, report=print):
    """Check a dict mapping each task of ``TASKS`` to one of ``SHAPES``; never raises.

    Returns
    -------
    bool
        True when every task has an accepted shape.
    """
    if not isinstance(answer, dict):
        report(f"Task shapes: expected a dict {{task: shape}}; got {type_name(answer)}.")
        return False
    messages = []
    unknown = [key for key in answer if key not in TASKS]
    if unknown:
        messages.append(f"  unknown task names {[_text(key, 40) for key in unknown]}: use the names of {list(TASKS)}.")
    for task, (accepted, why) in TASKS.items():
        given = answer.get(task)
        if given is None:
            messages.append(f"  {task}: not answered yet.")
        elif not isinstance(given, str):
            messages.append(f"  {task}: give one of {SHAPES} as a string; got {type_name(given)}.")
        elif given not in SHAPES:
            messages.append(f"  {task}: {given!r} is not one of {SHAPES}.")
        elif given not in accepted:
            messages.append(f"  {task}: not {given}: {why}")
    if messages:
        report("Task shapes: not yet.\n" + "\n".join(messages))
        return False
    report("Task shapes: all correct.")
    return True
