"""Question answering over generated bAbI-like stories: unidirectional, bidirectional, attention."""

import time

import numpy as np
import torch

from ..data.stories import ROOMS, encode_stories, make_stories, vocabulary
from ..models.qa import MODES, StoryReader
from ..models.training import train
from .running import one_thread


BANDS = {"2-4": (2, 4), "5-8": (5, 8), "9-12": (9, 12)}  # story lengths in sentences


def to_batch(data, index, device):
    """Tensors for :class:`lstm_course.models.qa.StoryReader` from a :class:`lstm_course.data.stories.QAData`."""
    story, story_lengths, ends, mask, question = encode_stories(data, index)
    q_lengths = (question != 0).sum(axis=0)
    joint = np.zeros((story.shape[0] + question.shape[0], story.shape[1]), dtype=np.int64)
    for b in range(story.shape[1]):  # the story, then the question, then padding
        joint[: story_lengths[b], b] = story[: story_lengths[b], b]
        joint[story_lengths[b]: story_lengths[b] + q_lengths[b], b] = question[: q_lengths[b], b]
    t = lambda x: torch.tensor(x, device=device)  # noqa: E731
    return {"story": t(story), "story_lengths": story_lengths, "ends": t(ends), "mask": t(mask),
            "question": t(question), "question_lengths": q_lengths,
            "joint": t(joint), "joint_lengths": story_lengths + q_lengths}


def _subset(data, idx):
    return type(data)([data.stories[j] for j in idx], [data.questions[j] for j in idx], data.answers[idx],
                      [data.supporting[j] for j in idx])


def _train(model, data, index, steps, batch_size, rng, device, progress, lr=1e-2, before_step=None):
    """Adam, gradient-norm clipping at 1, the learning rate decayed linearly over the second half.

    ``before_step(step)``, if given, is called before each step's batch is drawn (after ``step`` updates).
    """
    def batches(step):
        if before_step is not None:
            before_step(step)
        idx = rng.choice(len(data.stories), batch_size, replace=False)
        return to_batch(_subset(data, idx), index, device), torch.tensor(data.answers[idx], device=device)

    def loss_fn(model, batch, answers):
        logits, _ = model(batch)
        return torch.nn.functional.cross_entropy(logits, answers)

    return train(model, loss_fn, batches, steps, lr=lr, progress=progress, every=max(1, steps // 5),
                 decay=True)["losses"]


def _evaluate(model, data, index, device):
    model.eval()
    with torch.no_grad():
        logits, weights = model(to_batch(data, index, device))
    correct = logits.argmax(dim=1).cpu().numpy() == data.answers
    n_sent = np.array([len(s) for s in data.stories])
    result = {"accuracy": float(correct.mean()), "correct": int(correct.sum()),
              "by_length": {name: float(correct[(n_sent >= lo) & (n_sent <= hi)].mean())
                            for name, (lo, hi) in BANDS.items() if ((n_sent >= lo) & (n_sent <= hi)).any()}}
    if weights is not None:
        picked = weights.argmax(dim=0).cpu().numpy()
        result["hit_rate"] = float(np.mean([p in s for p, s in zip(picked, data.supporting)]))
        result["weights"] = weights.cpu().numpy()
    model.train()
    return result


@one_thread  # small matrices: two threads spin-wait on each other (quick run under load: 18 s vs 250 s)
def run(quick=False, seed=0, device="cpu", progress=print):
    """Train the three readers on single- and two-fact stories; accuracy and where the attention looks."""
    n_train, n_test, steps = (300, 100, 15) if quick else (10000, 1000, 700)
    words = vocabulary()
    index = {w: k for k, w in enumerate(words)}
    metrics = {"n_train": n_train, "n_test": n_test, "steps": steps, "batch_size": 64, "lr": 1e-2,
               "story_sentences": [2, 12]}
    for kind, suffix in (("single", ""), ("two", "_two_facts")):
        train = make_stories(kind, n_train, 2, 12, seed)
        test = make_stories(kind, n_test, 2, 12, seed + 1000)
        metrics[f"accuracy_majority{suffix}"] = float(np.mean(test.answers == np.bincount(train.answers).argmax()))
        for mode in MODES:
            torch.manual_seed(seed)
            model = StoryReader(len(words), len(ROOMS), mode=mode).to(device)
            progress(f"{kind} supporting fact(s): {mode}")
            start = time.perf_counter()
            losses = _train(model, train, index, steps, 64, np.random.default_rng(seed), device, progress)
            result = _evaluate(model, test, index, device)
            progress(f"  accuracy {result['accuracy']:.3f} ({time.perf_counter() - start:.0f} s)")
            metrics[f"accuracy_{mode}{suffix}"] = result["accuracy"]
            metrics[f"accuracy_by_length_{mode}{suffix}"] = result["by_length"]
            metrics[f"final_train_loss_{mode}{suffix}"] = float(np.mean(losses[-20:]))
            if mode == "attention":
                metrics[f"supporting_fact_hit_rate{suffix}"] = result["hit_rate"]
                metrics[f"attention_examples{suffix}"] = [
                    {"story": [" ".join(s) for s in test.stories[b]], "question": " ".join(test.questions[b]),
                     "answer": ROOMS[test.answers[b]], "supporting": test.supporting[b],
                     "weights": np.round(result["weights"][: len(test.stories[b]), b], 4).tolist()}
                    for b in range(3)]
    return metrics


def story_baselines(train, test):
    """What needs no reader: chance levels and the test stories per length band.

    Returns
    -------
    dict
        ``uniform_answer`` (1 / rooms), ``majority_answer`` (the training majority room's test accuracy),
        ``test_answer_max`` (the commonest room's share of the test answers), ``uniform_pick_hit_rate``
        (the chance that a sentence picked uniformly is a supporting fact, averaged over the test
        stories) and ``band_sizes`` (test stories per band of ``BANDS``).
    """
    n_sent = np.array([len(s) for s in test.stories])
    return {"uniform_answer": 1 / len(ROOMS),
            "majority_answer": float(np.mean(test.answers == np.bincount(train.answers).argmax())),
            "test_answer_max": float(np.bincount(test.answers, minlength=len(ROOMS)).max() / len(test.answers)),
            "uniform_pick_hit_rate": float(np.mean([len(set(s)) / n for s, n in zip(test.supporting, n_sent)])),
            "band_sizes": {name: int(((n_sent >= lo) & (n_sent <= hi)).sum()) for name, (lo, hi) in BANDS.items()}}


CURVE_ARMS = (("single", "unidirectional"), ("two", "attention"))  # the readers the chapter's claims rest on


@one_thread
def run_curve(quick=False, seed=0, device="cpu", progress=print, arms=CURVE_ARMS):
    """Learning curves for 4x the steps: the unidirectional reader on one fact, the attention reader on two.

    Same stories, seed, batch, optimiser and learning rate as :func:`run`, but ``steps`` (four times
    :func:`run`'s budget) with the decay over the second half of *these* steps, so the checkpoint at
    :func:`run`'s budget is not :func:`run`'s final model (its learning rate has not decayed). At each
    checkpoint: test accuracy (and correct count), by length band, the mean training loss of the last
    20 steps, and the attention reader's supporting-fact hit rate. Also :func:`story_baselines` per task.
    ``arms``: the (task, reader) pairs to train (``CURVE_ARMS`` by default). Each arm is seeded alone, so runs of single
    arms merge into a run of several. The baselines are computed for both tasks whatever the arms.
    """
    n_train, n_test, steps, checkpoints = (300, 100, 20, (10, 20)) if quick else (10000, 1000, 2800,
                                                                                  (700, 1400, 2100, 2800))
    words = vocabulary()
    index = {w: k for k, w in enumerate(words)}
    metrics = {"n_train": n_train, "n_test": n_test, "steps": steps, "checkpoints": list(checkpoints),
               "batch_size": 64, "lr": 1e-2, "story_sentences": [2, 12], "torch_threads": 1}
    for kind, suffix in (("single", ""), ("two", "_two_facts")):
        train = make_stories(kind, n_train, 2, 12, seed)
        test = make_stories(kind, n_test, 2, 12, seed + 1000)
        metrics[f"baselines{suffix}"] = story_baselines(train, test)
        for mode in [m for k, m in arms if k == kind]:
            torch.manual_seed(seed)
            model = StoryReader(len(words), len(ROOMS), mode=mode).to(device)
            progress(f"{kind} supporting fact(s): {mode}, {steps} steps")
            curve = []

            def record(step):
                if step in checkpoints:
                    result = _evaluate(model, test, index, device)
                    curve.append({"step": step, "accuracy": result["accuracy"], "correct": result["correct"],
                                  "by_length": result["by_length"],
                                  **({"hit_rate": result["hit_rate"]} if "hit_rate" in result else {})})
                    progress(f"  step {step}: accuracy {result['accuracy']:.3f}")

            losses = _train(model, train, index, steps, 64, np.random.default_rng(seed), device, progress,
                            before_step=record)
            record(steps)  # the last checkpoint: after the last step
            for point in curve:  # the mean loss of the 20 steps before each checkpoint
                point["train_loss"] = float(np.mean(losses[max(0, point["step"] - 20): point["step"]]))
            metrics[f"curve_{mode}{suffix}"] = curve
    return metrics
