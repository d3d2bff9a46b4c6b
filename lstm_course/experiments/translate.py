"""Translate English number words into German or French, with and without attention, then beam search."""

import numpy as np
import torch

from ..data.numbers import BOS, EOS, encode_batch, length_band, make_number_data, words
from ..decoding import beam_search
from ..models.seq2seq import Seq2Seq
from .running import one_thread
from .seq2seq_eval import (beam_step, cer, errors_after_first, free_running_accuracy, greedy_decode,
                           teacher_forced_accuracy, teacher_forced_predictions, train_seq2seq)

ALIGNMENT_EXAMPLES = (23, 97, 4321, 123456)
BEAM_SIZES = (1, 2, 5, 10)
BEAM_ALPHAS = (0.0, 0.6, 1.0)  # run_beams: the length penalties (eq. length-penalty), 0 the raw sum
MAX_LEN = 72  # characters and EOS: the longest German or French target up to 10^6 has 65


def _config(quick):
    """The budget, the same for both arms; ``long_steps`` is the no-attention model's second, longer run."""
    if quick:
        return {"n_train": 1000, "steps": 40, "long_steps": 80, "batch_size": 32, "H": 32, "A": 32, "n_test": 60,
                "n_held_out": 30, "n_beam": 4}
    return {"n_train": 20000, "steps": 200, "long_steps": 600, "batch_size": 64, "H": 96, "A": 64, "n_test": 1000,
            "n_held_out": 300, "n_beam": 100}


def _model_metrics(model, data, device):
    src_seqs = [words(s) for s in data.test.sources]
    predicted, _, _ = greedy_decode(model, src_seqs, data, device)
    correct = [p == t for p, t in zip(predicted, data.test.targets)]
    bands, band_pairs = {}, {}
    for ok, source, p, t in zip(correct, data.test.sources, predicted, data.test.targets):
        bands.setdefault(length_band(len(source)), []).append(ok)
        band_pairs.setdefault(length_band(len(source)), []).append((p, t))
    held, _, _ = greedy_decode(model, [words(s) for s in data.held_out.sources], data, device)
    return {"exact_match": float(np.mean(correct)), "cer": cer(predicted, data.test.targets),
            "by_length": {band: float(np.mean(v)) for band, v in sorted(bands.items())},
            "band_sizes": {band: len(v) for band, v in sorted(bands.items())},
            "cer_by_length": {band: cer(*zip(*v)) for band, v in sorted(band_pairs.items())},
            "held_out": float(np.mean([p == t for p, t in zip(held, data.held_out.targets)])),
            "predicted": predicted,
            "char_accuracy_teacher_forced": teacher_forced_accuracy(model, src_seqs, data.test.targets, data, device),
            "char_accuracy_free_running": free_running_accuracy(predicted, data.test.targets)}


def _beam_outputs(model, data, device, sources, sizes, alphas=(0.0,)):
    """``{(alpha, K): [(text, logprob), ...]}``: the best finished hypothesis of each source, each beam and penalty.

    The search prunes by the raw sum whatever the penalty (which only ranks the finished hypotheses),
    so every penalty makes the same model calls: the first penalty's are computed, the others replay
    them (checked call by call, recomputed on any mismatch).
    """
    model.eval()
    results = {(alpha, k): [] for alpha in alphas for k in sizes}
    for source in sources:
        src, lengths = encode_batch([words(source)], data.src_vocab)
        with torch.no_grad():
            memory, state = model.encode(torch.tensor(src, device=device), lengths)
            compute = beam_step(model, memory, device)

            for k in sizes:
                calls = []
                for i, alpha in enumerate(alphas):
                    replay = iter(calls) if i else None

                    def step(tokens_last, state):
                        if replay is not None:
                            last, out = next(replay, (None, None))
                            if last is not None and np.array_equal(last, tokens_last):
                                return out
                        out = compute(tokens_last, state)
                        if replay is None:
                            calls.append((np.array(tokens_last), out))
                        return out

                    tokens, logprob = beam_search(step, state, BOS, EOS, k, max_len=MAX_LEN, length_penalty=alpha)[0]
                    results[(alpha, k)].append((data.tgt_vocab.decode(tokens), logprob))
    return results


def _beam_metrics(model, data, device, n):
    """Exact match and mean log-probability by beam size on the first ``n`` test numbers."""
    results = {k: v for (_, k), v in _beam_outputs(model, data, device, data.test.sources[:n], BEAM_SIZES).items()}
    truths = data.test.targets[:n]
    exact = {str(k): float(np.mean([r[0] == t for r, t in zip(results[k], truths)])) for k in BEAM_SIZES}
    logprob = {str(k): float(np.mean([r[1] for r in results[k]])) for k in BEAM_SIZES}
    fixes = [{"number": int(data.test.numbers[j]), "greedy": results[1][j][0], "beam5": results[5][j][0],
              "truth": truths[j]} for j in range(n) if results[1][j][0] != truths[j] and results[5][j][0] == truths[j]]
    return exact, logprob, fixes


def _alignments(model, data, device):
    from ..data.numbers import number_words

    examples = []
    for n in ALIGNMENT_EXAMPLES:
        source = words(number_words(n, "en"))
        predicted, weights, _ = greedy_decode(model, [source], data, device)
        T = len(predicted[0]) + 1  # the characters and EOS
        examples.append({"number": n, "source": source, "output": predicted[0],
                         "weights": np.round(weights[:T, : len(source), 0], 4).tolist()})
    return examples


@one_thread  # small matrices and a Python loop over the target: one thread is ~4x faster than two
def run(quick=False, seed=0, device="cpu", progress=print, pair="en-de", attention=None):
    """Train with and without attention on one budget; greedy and beam decoding on the test numbers.

    ``attention=None`` trains both models; True or False trains only that one
    (the other's metrics are then None). Whenever the model without attention
    is trained, a second copy is trained ``long_steps`` steps (three times the
    budget) to show how much of its gap is the budget: the ``*_long_budget`` keys.
    """
    if attention not in (None, True, False):
        raise ValueError(f"attention must be None, True or False; got {attention!r}")
    cfg = _config(quick)
    data = make_number_data(pair, n_train=cfg["n_train"], n_test=cfg["n_test"],
                            n_held_out=cfg["n_held_out"], seed=seed)
    progress(f"{pair}: {len(data.train.numbers)} training numbers, {len(data.test.numbers)} test, "
             f"{len(data.held_out.numbers)} held out in [900000, 1000000]")
    arms = {"attention": True, "no_attention": False}
    if attention is not None:
        arms = {name: flag for name, flag in arms.items() if flag == attention}
    metrics = {"pair": pair, **{k: cfg[k] for k in ("n_train", "steps", "long_steps", "batch_size", "H", "A")},
               "exact_match_most_frequent": 0.0, "torch_threads": 1}
    counts = {}
    for target in data.train.targets:
        counts[target] = counts.get(target, 0) + 1
    most = max(counts, key=counts.get)
    metrics["exact_match_most_frequent"] = float(np.mean([t == most for t in data.test.targets]))
    models, per_arm = {}, {}
    for name, flag in arms.items():
        torch.manual_seed(seed)
        model = Seq2Seq(len(data.src_vocab), len(data.tgt_vocab), H=cfg["H"], A=cfg["A"], attention=flag).to(device)
        progress(f"training {name}")
        history = train_seq2seq(model, data, cfg["steps"], cfg["batch_size"], np.random.default_rng(seed),
                                device, progress)
        models[name], per_arm[name] = model, _model_metrics(model, data, device)
        per_arm[name]["final_train_loss"] = float(np.mean(history["losses"][-20:]))
        progress(f"{name}: exact match {per_arm[name]['exact_match']:.3f}")
    if "no_attention" in arms:  # the same model, three times the steps
        torch.manual_seed(seed)
        model = Seq2Seq(len(data.src_vocab), len(data.tgt_vocab), H=cfg["H"], A=cfg["A"], attention=False).to(device)
        progress(f"training no_attention for {cfg['long_steps']} steps")
        history = train_seq2seq(model, data, cfg["long_steps"], cfg["batch_size"], np.random.default_rng(seed),
                                device, progress)
        long = _model_metrics(model, data, device)
        progress(f"no_attention, {cfg['long_steps']} steps: exact match {long['exact_match']:.3f}")
        metrics.update({"exact_match_no_attention_long_budget": long["exact_match"],
                        "cer_no_attention_long_budget": long["cer"],
                        "exact_match_held_out_no_attention_long_budget": long["held_out"],
                        "final_train_loss_no_attention_long_budget": float(np.mean(history["losses"][-20:])),
                        "exact_match_by_length_no_attention_long_budget": long["by_length"]})
    for name in ("attention", "no_attention"):
        result = per_arm.get(name, {})
        metrics[f"exact_match_{name}"] = result.get("exact_match")
        metrics[f"cer_{name}"] = result.get("cer")
        metrics[f"exact_match_held_out_{name}"] = result.get("held_out")
        metrics[f"final_train_loss_{name}"] = result.get("final_train_loss")
        metrics[f"char_accuracy_teacher_forced_{name}"] = result.get("char_accuracy_teacher_forced")
        metrics[f"char_accuracy_free_running_{name}"] = result.get("char_accuracy_free_running")
    bands = sorted({band for r in per_arm.values() for band in r["by_length"]},
                   key=lambda band: int(band.split("-")[0].rstrip("+")))  # by the band's lower end
    metrics["exact_match_by_length"] = {band: {name: per_arm[name]["by_length"].get(band) for name in per_arm}
                                        for band in bands}
    metrics["cer_by_length"] = {band: {name: per_arm[name]["cer_by_length"].get(band) for name in per_arm}
                                for band in bands}
    metrics["band_sizes"] = next(iter(per_arm.values()))["band_sizes"]
    metrics["beam_numbers"] = cfg["n_beam"]
    for name, model in models.items():  # "beam_exact_match" is the attention model's when it was trained
        progress(f"beam search on {cfg['n_beam']} test numbers, {name}")
        suffix = "" if name == "attention" or "attention" not in models else "_no_attention"
        (metrics["beam_exact_match" + suffix], metrics["beam_mean_logprob" + suffix],
         metrics["beam_fixes" + suffix]) = _beam_metrics(model, data, device, cfg["n_beam"])
    metrics["beam_model"] = "attention" if "attention" in models else "no_attention"
    if "attention" in models:
        metrics["alignments"] = _alignments(models["attention"], data, device)
    metrics["examples"] = [{"number": int(n), "truth": t, **{name: per_arm[name]["predicted"][j] for name in per_arm}}
                           for j, (n, t) in enumerate(zip(data.test.numbers[:8], data.test.targets[:8]))]
    return metrics


def _outputs_summary(outputs, truths, greedy_right=None):
    """Exact match, lengths against the reference and (given greedy's) the discordant pairs of one arm."""
    right = [text == t for (text, _), t in zip(outputs, truths)]
    summary = {"exact_match": float(np.mean(right)), "mean_logprob": float(np.mean([lp for _, lp in outputs])),
               "mean_length": float(np.mean([len(text) for text, _ in outputs])),
               "too_short": sum(len(text) < len(t) for (text, _), t in zip(outputs, truths)),
               "too_long": sum(len(text) > len(t) for (text, _), t in zip(outputs, truths)),
               "errors": right.count(False), "correct": "".join("1" if ok else "0" for ok in right)}
    if greedy_right is not None:
        summary["fixes"] = sum(ok and not g for ok, g in zip(right, greedy_right))  # greedy wrong, this right
        summary["breaks"] = sum(g and not ok for ok, g in zip(right, greedy_right))  # greedy right, this wrong
    return summary


def _beam_config(quick):
    cfg = _config(quick)
    return {**cfg, "n_beam": 6 if quick else 1000, "beam_sizes": (2, 5)}


@one_thread
def run_beams(quick=False, seed=0, device="cpu", progress=print):
    """The model without attention of :func:`run` (same data, seed and budget), decoded every way.

    Greedy decoding, and beam search at each of ``beam_sizes`` with each length penalty of
    ``BEAM_ALPHAS``, on the first ``n_beam`` test numbers: exact match, mean log-probability,
    output lengths against the reference (too short, too long) and the discordant pairs against
    greedy decoding (``fixes``: greedy wrong, beam right; ``breaks``: the reverse); ``correct`` is
    the string of per-number outcomes. On all test numbers, how errors spread once greedy decoding
    has made its first one (:func:`lstm_course.experiments.seq2seq_eval.errors_after_first`):
    errors after it with the model's own prefix against the true prefix.
    """
    cfg = _beam_config(quick)
    data = make_number_data("en-de", n_train=cfg["n_train"], n_test=cfg["n_test"],
                            n_held_out=cfg["n_held_out"], seed=seed)
    torch.manual_seed(seed)
    model = Seq2Seq(len(data.src_vocab), len(data.tgt_vocab), H=cfg["H"], A=cfg["A"], attention=False).to(device)
    progress(f"training no_attention for {cfg['steps']} steps")
    history = train_seq2seq(model, data, cfg["steps"], cfg["batch_size"], np.random.default_rng(seed), device,
                            progress)
    src_seqs = [words(s) for s in data.test.sources]
    predicted, _, _ = greedy_decode(model, src_seqs, data, device)
    targets = data.test.targets
    forced = teacher_forced_predictions(model, src_seqs, targets, data, device)
    spread = errors_after_first(predicted, forced, targets)
    wrong = [j for j, f in enumerate(spread["first"]) if f >= 0]
    metrics = {"pair": "en-de", "model": "no_attention",
               **{k: cfg[k] for k in ("n_train", "n_test", "steps", "batch_size", "H", "A", "n_beam")},
               "beam_sizes": list(cfg["beam_sizes"]), "alphas": list(BEAM_ALPHAS), "max_len": MAX_LEN,
               "torch_threads": 1, "final_train_loss": float(np.mean(history["losses"][-20:])),
               "exact_match_greedy_all": float(np.mean([p == t for p, t in zip(predicted, targets)])),
               "cer_greedy_all": cer(predicted, targets),
               "char_accuracy_teacher_forced": teacher_forced_accuracy(model, src_seqs, targets, data, device),
               "char_accuracy_free_running": free_running_accuracy(predicted, targets),
               "spread_items": len(wrong),
               "spread_same_until_first": int(sum(spread["same_until_first"][j] for j in wrong)),
               "spread_positions_after_first": int(sum(spread["rest"])),
               "spread_errors_own_prefix": int(sum(spread["own"])),
               "spread_errors_true_prefix": int(sum(spread["true"])),
               "spread_own_per_item": [spread["own"][j] for j in wrong],
               "spread_true_per_item": [spread["true"][j] for j in wrong]}
    progress(f"greedy exact match {metrics['exact_match_greedy_all']:.3f} on {len(targets)} test numbers")
    n = cfg["n_beam"]
    truths = targets[:n]
    greedy = [(text, 0.0) for text in predicted[:n]]
    _, _, greedy_lp = greedy_decode(model, src_seqs[:n], data, device)
    greedy = [(text, float(lp)) for (text, _), lp in zip(greedy, greedy_lp)]
    metrics["greedy"] = _outputs_summary(greedy, truths)
    metrics["reference_mean_length"] = float(np.mean([len(t) for t in truths]))
    greedy_right = [text == t for (text, _), t in zip(greedy, truths)]
    progress(f"beam search on {n} test numbers, beams {cfg['beam_sizes']}, length penalties {BEAM_ALPHAS}")
    outputs = _beam_outputs(model, data, device, data.test.sources[:n], cfg["beam_sizes"], BEAM_ALPHAS)
    metrics["beams"] = {f"{alpha:g}": {str(k): _outputs_summary(outputs[(alpha, k)], truths, greedy_right)
                                       for k in cfg["beam_sizes"]} for alpha in BEAM_ALPHAS}
    return metrics
