"""The torch.nn models of the experiments, their one training step and loop, and the experiments' contract."""

import inspect

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lstm_course import convert
from lstm_course.experiments import EXPERIMENTS, run_experiment
from lstm_course.experiments.running import one_thread, over_seeds
from lstm_course.models.charlm import CharLSTM
from lstm_course.models.recurrent_net import RecurrentNet
from lstm_course.models.training import detach, train, train_step
from lstm_course.numpy_impl.charlm import init_charlm
from lstm_course.params import init_readout


def _net():
    return RecurrentNet("lstm", 3, 4, 2, np.random.default_rng(0)).double()


def test_train_step_equals_zero_grad_backward_clip_step():
    xs = torch.as_tensor(np.random.default_rng(1).normal(size=(6, 2, 3)))
    ours, theirs = _net(), _net()
    for net in (ours, theirs):
        net.readout.weight.grad = torch.ones_like(net.readout.weight)  # a stale gradient to be zeroed
    opt_ours, opt_theirs = torch.optim.Adam(ours.parameters(), 1e-2), torch.optim.Adam(theirs.parameters(), 1e-2)
    loss = train_step(ours, opt_ours, (ours(xs)[0] ** 2).sum(), max_norm=0.1)
    opt_theirs.zero_grad()
    reference = (theirs(xs)[0] ** 2).sum()
    reference.backward()
    torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.1)
    opt_theirs.step()
    assert loss == reference.item()
    assert all(torch.equal(a, b) for a, b in zip(ours.parameters(), theirs.parameters()))


def test_train_carries_the_state_the_loss_returns_detached():
    seen = []

    def loss_fn(model, xs, state):
        seen.append(state)
        logits, state = model(xs, state)
        return (logits ** 2).mean(), state

    xs = torch.as_tensor(np.random.default_rng(2).normal(size=(5, 2, 3)))
    history = train(_net(), loss_fn, lambda step: (xs,), steps=3, carry_state=True)
    assert len(history["losses"]) == 3 and seen[0] is None
    assert all(isinstance(s, tuple) and not any(t.requires_grad for t in s) for s in seen[1:])
    assert not torch.equal(seen[1][1], seen[2][1]), "the state moves on from chunk to chunk"


def test_train_with_decay_holds_the_rate_for_half_the_run_then_lowers_it_linearly(monkeypatch):
    optimisers, rates = [], []

    class Recording(torch.optim.Adam):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            optimisers.append(self)

    monkeypatch.setattr(torch.optim, "Adam", Recording)

    def loss_fn(model, xs):
        rates.append(optimisers[0].param_groups[0]["lr"])  # the rate this step's update will use
        logits, _ = model(xs)
        return (logits ** 2).mean()

    xs = torch.as_tensor(np.random.default_rng(3).normal(size=(5, 2, 3)))
    train(_net(), loss_fn, lambda step: (xs,), steps=10, lr=0.1, decay=True)
    assert rates[:6] == [0.1] * 6, "full rate for the first half"
    assert np.allclose(rates[6:], [0.1 * (2 * (1 - s / 10) + 0.05) for s in range(6, 10)])
    assert all(a > b for a, b in zip(rates[5:], rates[6:])), "then strictly lower at every step"


def test_detach_keeps_values_and_cuts_history():
    h = torch.ones(2, requires_grad=True) * 2
    assert detach(None) is None and not detach(h).requires_grad
    assert all(torch.equal(a, b) and not a.requires_grad for a, b in zip(detach((h, h + 1)), (h, h + 1)))


def test_over_seeds_gives_each_seed_its_own_generator_in_order():
    messages = []
    draws = over_seeds(lambda s, rng: (s, rng.random()), 3, 2, messages.append, "task")
    assert draws == [(3, np.random.default_rng(3).random()), (4, np.random.default_rng(4).random())]
    assert messages == ["task, seed 3", "task, seed 4"]


def test_one_thread_runs_on_one_thread_and_restores_the_count():
    before = torch.get_num_threads()
    assert one_thread(torch.get_num_threads)() == 1
    assert torch.get_num_threads() == before


def test_models_start_from_the_shared_readout_initialisation():
    rng = np.random.default_rng(5)
    net = RecurrentNet("rnn", 3, 4, 2, rng)
    rng = np.random.default_rng(5)
    from lstm_course.params import init_rnn_params

    init_rnn_params(3, 4, rng=rng, dtype=np.float32)
    readout = init_readout(4, 2, rng, np.float32)
    assert np.array_equal(net.readout.weight.detach().numpy(), readout["W_hy"])
    assert np.array_equal(net.readout.bias.detach().numpy(), readout["b_y"])


def test_init_readout_draws_within_the_torch_linear_bound():
    readout = init_readout(16, 3, np.random.default_rng(0))
    assert readout["W_hy"].shape == (3, 16) and readout["b_y"].shape == (3,)
    assert np.all(np.abs(readout["W_hy"]) <= 1 / 4) and np.all(readout["b_y"] == 0)


def test_load_readout_names_a_shape_mismatch():
    with pytest.raises(ValueError, match=r"W_hy: the Linear layer expects shape \(2, 4\), the readout gives \(3, 4\)"):
        convert.load_readout(torch.nn.Linear(4, 2), init_readout(4, 3, np.random.default_rng(0)))


def test_char_lstm_round_trips_our_tree():
    tree = init_charlm(5, 3, np.random.default_rng(0))
    back = CharLSTM.from_tree(tree).double().to_tree()
    assert np.allclose(back["W_hy"], tree["W_hy"], atol=1e-7) and np.allclose(back["b_y"], tree["b_y"])
    assert all(np.allclose(back["lstm"][0]["forward"][k], v, atol=1e-7) for k, v in tree["lstm"][0]["forward"].items())


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_every_registered_experiment_follows_the_contract(name):
    import importlib

    module, function = EXPERIMENTS[name]
    parameters = inspect.signature(getattr(importlib.import_module(module), function)).parameters
    assert list(parameters)[:4] == ["quick", "seed", "device", "progress"]


def test_the_registry_names_no_experiment_in_its_code():
    import lstm_course.experiments as experiments

    source = inspect.getsource(experiments.run_experiment)
    assert not any(f'"{name}"' in source for name in EXPERIMENTS)


def test_crossval_experiment_reports_agreement_of_the_two_twins():
    metrics = run_experiment("crossval", quick=True)
    assert metrics["agree_within_1e-10"] and len(metrics["numpy_losses"]) == metrics["steps"]
