"""Translate English number words into German or French, with and without attention, then beam search."""

import numpy as np
import torch

from ..data.numbers import BOS, EOS, encode_batch, length_band, make_number_data, words
from ..decoding import beam_search
from ..models.seq2seq import Seq2Seq
from .running import one_thread
from .seq2seq_eval import cer, free_running_accuracy, greedy_decode, teacher_forced_accuracy, train_seq2seq

ALIGNMENT_EXAMPLES = (23, 97, 4321, 123456)
BEAM_SIZES = (1, 2, 5, 10)
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


def _beam_metrics(model, data, device, n):
    """Exact match and mean log-probability by beam size on the first ``n`` test numbers."""
    model.eval()
    results = {k: [] for k in BEAM_SIZES}
    for source in data.test.sources[:n]:
        src, lengths = encode_batch([words(source)], data.src_vocab)
        with torch.no_grad():
            memory, state = model.encode(torch.tensor(src, device=device), lengths)

            def step(tokens_last, state):
                K = len(tokens_last)
                mem = {key: value.expand(K, -1) if key == "summary"  # (1, 2H); the others (S, 1, ...)
                       else value.expand(value.shape[0], K, *value.shape[2:]) for key, value in memory.items()}
                logits, new_state, _ = model.step(torch.as_tensor(tokens_last, device=device), state, mem)
                return torch.log_softmax(logits, dim=1).double().cpu(), new_state

            for k in BEAM_SIZES:
                tokens, logprob = beam_search(step, state, BOS, EOS, k, max_len=MAX_LEN)[0]
                results[k].append((data.tgt_vocab.decode(tokens), logprob))
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
