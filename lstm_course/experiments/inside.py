"""Looking inside the character LSTM: one unit picked on one text, measured on another, against a null.

The selection rule: among the hidden units, take the one whose activation correlates most strongly
(in absolute value) with a signal of the *selection* text (a validation file), and read its
correlation, with the sign fixed on the selection text, on a *held-out* text (another validation
file). The null applies the same rule to untrained networks of the same shape (``init_charlm``, one
per seed). The record also keeps the chosen unit's activation and gates along the held-out text, so
that the chapter can colour the text and draw the gate traces without a checkpoint.

``python -m lstm_course.experiments.inside runs/charlm.npz`` writes ``book/results/inside.json``
(seconds on one CPU thread).
"""

import json
import pathlib
import sys

import numpy as np

SIGNALS = ("inside a string", "indentation")


def _signals(text):
    """Per-character signals of ``text``: inside a string (0/1) and the line's indentation depth."""
    from lstm_course.data.tagging import TAGS, tag_source

    in_string = (tag_source(text).tags == TAGS.index("string")).astype(float)
    indent = np.array([len(line) - len(line.lstrip(" ")) for line in text.splitlines(keepends=True)
                       for _ in line], dtype=float)
    return {"inside a string": in_string, "indentation": indent}


def run_gates(model, vocab, text):
    """Run a one-layer character LSTM over ``text`` and keep its gates.

    Parameters
    ----------
    model : dict
        ``init_charlm`` parameters (``model["lstm"][0]["forward"]`` is the layer).
    vocab : Vocabulary
    text : str, length T

    Returns
    -------
    dict of ndarray, each shape (T, H)
        ``h``, ``c``, ``i``, ``f``, ``o``: the state and gates after reading each character.
    """
    from lstm_course.numpy_impl.charlm import one_hot
    from lstm_course.numpy_impl.lstm import _lstm_step_forward

    p = model["lstm"][0]["forward"]
    H = p["b_f"].shape[0]
    xs = one_hot(vocab.encode(text)[:, None], len(vocab))
    h, c = np.zeros((1, H)), np.zeros((1, H))
    keep = {k: [] for k in ("h", "c", "i", "f", "o")}
    for x in xs:
        h, c, cache = _lstm_step_forward(x, h, c, p)
        for name, value in (("h", h), ("c", c), ("i", cache.i_t), ("f", cache.f_t), ("o", cache.o_t)):
            keep[name].append(value[0])
    return {k: np.array(v) for k, v in keep.items()}


def _correlations(h, signal):
    """Pearson r of every unit of ``h`` (T, H) with ``signal`` (T,); 0 for a constant unit."""
    hc = h - h.mean(0)
    sc = signal - signal.mean()
    den = np.sqrt((hc ** 2).sum(0) * (sc ** 2).sum())
    return np.where(den > 0, hc.T @ sc / np.where(den > 0, den, 1), 0.0)


def select_unit(h_select, signal_select, h_held, signal_held):
    """The selection rule: best ``|r|`` on the selection text, its signed r on the held-out text.

    Returns
    -------
    unit : int
    r_select : float
        ``|r|`` on the selection text.
    r_held : float
        r on the held-out text, times the sign the unit had on the selection text.
    """
    r = _correlations(h_select, signal_select)
    j = int(np.abs(r).argmax())
    return j, float(abs(r[j])), float(np.sign(r[j]) * _correlations(h_held, signal_held)[j])


def probe(checkpoint, n_null=19, chars=3000, shown=600):
    """Pick units on one validation file and measure them on another, beside untrained networks.

    Parameters
    ----------
    checkpoint : str or path-like
        A trained one-layer ``charlm`` checkpoint (``python -m lstm_course run charlm --checkpoint``).
    n_null : int
        Untrained networks (seeds ``0 .. n_null - 1``) for the null.
    chars : int
        Characters read from the start of each of the two files.
    shown : int
        Characters of the held-out text kept with the unit's activation and gates.

    Returns
    -------
    dict
        The metrics of ``book/results/inside.json``.
    """
    from lstm_course.checkpoint import load_checkpoint
    from lstm_course.data.corpus import Vocabulary
    from lstm_course.data.stdlib import stdlib_files
    from lstm_course.numpy_impl.charlm import init_charlm

    model, vocab_chars, meta = load_checkpoint(checkpoint)
    vocab = Vocabulary(vocab_chars)
    validation = [path for n, path in enumerate(stdlib_files()[:80]) if n % 10 == 9]
    texts, sigs = [], []
    for path in validation[:2]:  # the first validation file selects, the second is held out
        text = path.read_text(encoding="utf-8", errors="replace")
        text = "".join(ch for ch in text if ch in vocab.index)
        whole = _signals(text)  # tokenize reads the whole file; keep its first lines
        cut = text.rfind("\n", 0, chars) + 1
        texts.append(text[:cut])
        sigs.append({name: s[:cut] for name, s in whole.items()})
    (select_text, held_text), (sig_select, sig_held) = texts, sigs
    trained_sel, trained_held = run_gates(model, vocab, select_text), run_gates(model, vocab, held_text)
    H = trained_sel["h"].shape[1]
    out = {"checkpoint_steps": meta.get("steps"), "hidden_size": H, "corpus": meta.get("description"),
           "select_file": validation[0].name, "held_file": validation[1].name,
           "select_chars": len(select_text), "held_chars": len(held_text), "n_null": n_null, "signals": {}}
    for name in SIGNALS:
        j, r_sel, r_held = select_unit(trained_sel["h"], sig_select[name], trained_held["h"], sig_held[name])
        nulls = []
        for seed in range(n_null):
            untrained = init_charlm(len(vocab), H, np.random.default_rng(seed))
            u_sel, u_held = run_gates(untrained, vocab, select_text), run_gates(untrained, vocab, held_text)
            nulls.append(select_unit(u_sel["h"], sig_select[name], u_held["h"], sig_held[name])[1:])
        sign = float(np.sign(_correlations(trained_sel["h"], sig_select[name])[j]))
        cut = held_text[:shown]
        out["signals"][name] = {
            "unit": j, "sign": sign, "r_select": r_sel, "r_held": r_held,
            "null_r_select": [a for a, _ in nulls], "null_r_held": [b for _, b in nulls],
            "shown_text": cut, "shown_signal": sig_held[name][: len(cut)].tolist(),
            **{f"shown_{g}": trained_held[g][: len(cut), j].tolist() for g in ("h", "c", "i", "f", "o")},
        }
    return out


def main(argv=None):
    """Write ``book/results/inside.json`` from the checkpoint named on the command line."""
    from lstm_course.records import make_record, save_record

    argv = sys.argv[1:] if argv is None else argv
    checkpoint = argv[0] if argv else "runs/charlm.npz"
    metrics = probe(checkpoint)
    record = make_record("inside", ["inside", checkpoint], "cpu", False, 0, {"checkpoint": checkpoint}, metrics)
    record["command"] = f"python -m lstm_course.experiments.inside {checkpoint}"
    target = pathlib.Path("book/results/inside.json")
    save_record(target, record)
    print(json.dumps({k: {kk: v[kk] for kk in ("unit", "r_select", "r_held")} for k, v in metrics["signals"].items()}))


if __name__ == "__main__":
    main()
