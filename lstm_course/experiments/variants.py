"""Which parts of the LSTM matter: every variant, the GRU and a tanh RNN on the same budget (Greff et al. 2017).

Each cell is trained through the same code (``lstm_course.models.cell_net.CellNet``,
our Torch twins), with the same optimiser, budget in steps, batches and
seeds, on two tasks of the book:

- the character model on the standard library's source: validation bits per
  character (on the first ``val_chars`` characters of the validation files)
  after a fixed number of truncated-BPTT steps;
- the adding problem (Hochreiter & Schmidhuber 1997, section 5.4) at minimal
  length ``adding_T``: the fraction of test sequences with ``|error| < 0.04``
  after a fixed number of steps.

Budgets are counted in steps, not seconds, so that results do not depend on
the machine's load. ``lstm`` starts with ``b_f = 1`` (Jozefowicz et al. 2015);
``lstm_forget_bias_0`` is the same cell with ``b_f = 0``.
"""

import numpy as np
import torch

from ..data.corpus import load_corpus, ngram_bits_per_char
from ..data.long_lag import adding_problem
from ..models.cell_net import CellNet
from ..models.recurrent_net import tensor
from ..models.training import train
from .charlm import bits_per_char, streams
from .running import one_thread, over_seeds

# name: (cell, forget bias at initialisation)
CONFIGS = {
    "lstm": ("lstm", 1.0), "lstm_forget_bias_0": ("lstm", 0.0), "peephole": ("peephole", 1.0),
    "cifg": ("cifg", 1.0), "no_forget_gate": ("no_forget_gate", 0.0), "no_input_gate": ("no_input_gate", 1.0),
    "no_output_gate": ("no_output_gate", 1.0), "no_input_activation": ("no_input_activation", 1.0),
    "no_output_activation": ("no_output_activation", 1.0), "gru": ("gru", 0.0), "rnn": ("rnn", 0.0),
}
FULL = dict(seeds=3, char_steps=300, char_H=64, char_T=32, char_B=32, adding_T=30, adding_steps=500, adding_H=32,
            adding_B=32, adding_test=1024, lr=1e-2, val_chars=20_000)
QUICK = dict(seeds=1, char_steps=4, char_H=16, char_T=16, char_B=8, adding_T=30, adding_steps=2, adding_H=8,
             adding_B=8, adding_test=32, lr=1e-2, val_chars=2_000)


def _char_run(name, corpus, cfg, device):
    cell, forget_bias = CONFIGS[name]
    data = torch.as_tensor(streams(corpus.train, cfg["char_B"]), device=device)
    T, V = cfg["char_T"], len(corpus.vocab)

    def loss_fn(model, chunk, state):
        logits, state = model(chunk[:-1], state)
        return torch.nn.functional.cross_entropy(logits.reshape(-1, V), chunk[1:].reshape(-1)), state

    def run_one(s, rng):
        net = CellNet(cell, V, cfg["char_H"], V, rng, forget_bias).to(device)
        train(_OneHot(net), loss_fn, lambda step: (data[step * T:(step + 1) * T + 1],), cfg["char_steps"],
              lr=cfg["lr"], carry_state=True)
        return bits_per_char(_OneHot(net), corpus.validation[:cfg["val_chars"]], device)

    return run_one


class _OneHot(torch.nn.Module):
    """Character ids (T, B) -> one-hot -> the wrapped net."""

    def __init__(self, net):
        super().__init__()
        self.net, self.V = net, net.V

    def forward(self, ids, state=None):
        return self.net(torch.nn.functional.one_hot(ids, self.V).to(self.net.readout.weight.dtype), state)


def _adding_run(name, cfg, device):
    return _adding_cell_run(*CONFIGS[name], cfg, device)


def _adding_cell_run(cell, forget_bias, cfg, device, update_bias=0.0):
    """``run_one(s, rng) -> fraction correct`` for ``cell`` on the adding problem of ``cfg``."""
    T = cfg["adding_T"]

    def loss_fn(model, xs, lengths, y):
        return ((model.final(xs, lengths)[:, 0] - y) ** 2).mean()

    def run_one(s, rng):
        net = CellNet(cell, 2, cfg["adding_H"], 1, rng, forget_bias, update_bias).to(device)

        def batches(step):
            b = adding_problem(cfg["adding_B"], T, rng)
            return tensor(b.xs, device), b.lengths, tensor(b.targets, device)

        train(net, loss_fn, batches, cfg["adding_steps"], lr=cfg["lr"])
        test = adding_problem(cfg["adding_test"], T, np.random.default_rng(10_000 + s))
        with torch.no_grad():
            error = net.final(tensor(test.xs, device), test.lengths)[:, 0].cpu().numpy() - test.targets
        return float(np.mean(np.abs(error) < 0.04))

    return run_one


@one_thread
def run(quick=False, seed=0, device="cpu", progress=print):
    """The experiment ``variants``: per-seed and median results per cell on both tasks."""
    cfg = QUICK if quick else FULL
    corpus = load_corpus("stdlib")
    val_bpc, success = {}, {}
    for name in CONFIGS:
        val_bpc[name] = over_seeds(_char_run(name, corpus, cfg, device), seed, cfg["seeds"], progress,
                                   f"char model: {name}")
        success[name] = over_seeds(_adding_run(name, cfg, device), seed, cfg["seeds"], progress,
                                   f"adding problem: {name}")
    median = lambda runs: {name: float(np.median(values)) for name, values in runs.items()}
    baselines = ngram_bits_per_char(corpus)
    return {
        "val_bpc_by_variant": median(val_bpc), "long_lag_success_by_variant": median(success),
        "val_bpc_per_seed": val_bpc, "long_lag_success_per_seed": success,
        "forget_bias": {"1": {"val_bpc": float(np.median(val_bpc["lstm"])),
                              "long_lag_success": float(np.median(success["lstm"]))},
                        "0": {"val_bpc": float(np.median(val_bpc["lstm_forget_bias_0"])),
                              "long_lag_success": float(np.median(success["lstm_forget_bias_0"]))}},
        "forget_gate_at_init": {"0": 0.5, "1": float(1 / (1 + np.exp(-1.0)))},
        "unigram_bpc": baselines["unigram_bpc"], "bigram_bpc": baselines["bigram_bpc"],
        "long_lag_task": f"adding problem, T = {cfg['adding_T']}",
        **{key: value for key, value in cfg.items()},
    }
