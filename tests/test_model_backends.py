"""The models train our Torch twin by default; with backend="nn" they run torch.nn, and both give the same numbers.

Claims: for every model (RecurrentNet LSTM and RNN, CharLSTM, Tagger) the twin backend and the torch.nn backend,
started from the same parameters, agree in float64 within 1e-10 on the outputs and on every parameter's
gradient; the twin cores are torch.nn modules to convert.from_torch; a bad backend is named; every experiment
that trains these models takes ``backend`` (default "twin"), and ``run NAME --backend nn`` reaches the model
and is recorded in the saved result.
"""

import inspect
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import DEVICES
from lstm_course import convert
from lstm_course.models.charlm import CharLSTM
from lstm_course.models.cores import TwinLSTM, TwinRNN, recurrent_core
from lstm_course.models.recurrent_net import RecurrentNet
from lstm_course.models.tagger import Tagger

TIGHT = 1e-10


def _models(backend):
    rng = np.random.default_rng(3)
    return {"lstm net": RecurrentNet("lstm", 3, 4, 2, rng, backend=backend),
            "1997 lstm net": RecurrentNet("lstm", 3, 4, 2, rng, forget_gate=False, backend=backend),
            "rnn net": RecurrentNet("rnn", 3, 4, 2, rng, backend=backend),
            "char lstm": CharLSTM(5, 4, num_layers=2, backend=backend),
            "tagger": Tagger(6, 3, rng, E=4, H=5, num_layers=2, bidirectional=True, backend=backend)}


def _inputs(name, device):
    rng = np.random.default_rng(4)
    if name in ("char lstm", "tagger"):
        return torch.as_tensor(rng.integers(0, 5, size=(7, 2)), device=device)
    return torch.as_tensor(rng.normal(size=(7, 2, 3)), device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["lstm net", "1997 lstm net", "rnn net", "char lstm", "tagger"])
def test_twin_backend_matches_torch_nn_backend_float64(device, name):
    twin, nn = _models("twin")[name].double().to(device), _models("nn")[name].double().to(device)
    nn.load_state_dict(twin.state_dict())
    results = []
    for model in (twin, nn):
        out = model(_inputs(name, device))
        out = out[0] if isinstance(out, tuple) else out
        (out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype, device=device).view_as(out)).sum().backward()
        results.append([out.detach()] + [p.grad for p in model.parameters()])
    for a, b in zip(*results):
        err = float((a - b).abs().max())
        assert err <= TIGHT, f"{name}: twin vs torch.nn differ by {err:.2e}"


def test_models_use_the_twin_by_default_and_torch_nn_on_request():
    rng = np.random.default_rng(0)
    assert type(RecurrentNet("lstm", 2, 3, 1, rng).core) is TwinLSTM
    assert type(RecurrentNet("rnn", 2, 3, 1, rng).core) is TwinRNN
    assert type(CharLSTM(4, 3).lstm) is TwinLSTM and type(Tagger(4, 2, rng).rnn) is TwinRNN
    assert type(CharLSTM.from_tree(CharLSTM(4, 3).to_tree()).lstm) is TwinLSTM
    assert type(RecurrentNet("rnn", 2, 3, 1, rng, backend="nn").core) is torch.nn.RNN
    assert type(RecurrentNet("lstm", 2, 3, 1, rng, backend="nn").core) is torch.nn.LSTM
    assert type(CharLSTM(4, 3, backend="nn").lstm) is torch.nn.LSTM
    assert type(Tagger(4, 2, rng, backend="nn").rnn) is torch.nn.RNN
    assert type(recurrent_core("lstm", 2, 3)) is TwinLSTM


TRAINS_A_RECURRENT_CORE = ["adding", "adding-budget", "adding-factorial", "charlm", "clipping", "forget-gate", "pos",
                           "reber", "reviews", "tagging", "temporal-order"]


def test_the_experiments_that_train_a_recurrent_core_take_backend_and_default_to_the_twin():
    from lstm_course.experiments import EXPERIMENTS, _function, takes_backend

    assert sorted(name for name in EXPERIMENTS if takes_backend(name)) == TRAINS_A_RECURRENT_CORE
    for name in TRAINS_A_RECURRENT_CORE:
        assert inspect.signature(_function(name)).parameters["backend"].default == "twin", name


def test_run_with_backend_nn_trains_torch_nn_and_saves_the_backend(tmp_path, capsys, monkeypatch):
    from lstm_course import __main__ as cli
    from lstm_course.models import recurrent_net

    built = []
    original = recurrent_net.recurrent_core
    monkeypatch.setattr(recurrent_net, "recurrent_core", lambda *a, **kw: built.append(original(*a, **kw)) or built[-1])
    monkeypatch.chdir(tmp_path)
    cli.main(["run", "temporal-order", "--quick", "--backend", "nn", "--save", "--results", str(tmp_path)])
    out = capsys.readouterr().out
    saved = json.loads((tmp_path / "temporal-order.json").read_text())
    assert saved["metrics"]["backend"] == "nn" and json.loads(out.splitlines()[-1])["backend"] == "nn"
    assert "--backend nn" in saved["command"]
    assert built and all(type(core) in (torch.nn.LSTM, torch.nn.RNN) for core in built)


def test_twin_cores_are_torch_nn_modules_to_convert():
    core = recurrent_core("lstm", 3, 4, 2, True, backend="twin")
    params = convert.from_torch(core)
    assert len(params) == 2 and sorted(params[1]) == ["forward", "reverse"]
    assert params[1]["forward"]["W_f"].shape == (4, 8 + 4)


@pytest.mark.parametrize("kwargs, message", [({"backend": "cudnn"}, "backend must be one of"),
                                             ({"kind": "gru"}, "kind must be 'lstm' or 'rnn'")])
def test_recurrent_core_names_a_bad_choice(kwargs, message):
    with pytest.raises(ValueError, match=message):
        recurrent_core(**{"kind": "lstm", "D": 2, "H": 3, **kwargs})


def test_twin_core_refuses_a_packed_sequence():
    packed = torch.nn.utils.rnn.pack_padded_sequence(torch.zeros(4, 2, 3), torch.tensor([4, 2]))
    with pytest.raises(TypeError, match="not a PackedSequence"):
        recurrent_core("lstm", 3, 2, backend="twin")(packed)
