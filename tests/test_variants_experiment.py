"""The ablation of the variants chapter: its model trains every cell, its quick run has the contract's keys."""

import json
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lstm_course import __main__ as cli
from lstm_course.models.cell_net import CELLS, CellNet

CONTRACT_KEYS = {"lstm", "gru", "rnn", "no_forget_gate", "cifg", "peephole", "no_output_activation"}


@pytest.mark.parametrize("cell", CELLS)
def test_cell_net_trains_every_cell_and_carries_its_state(cell):
    net = CellNet(cell, D=3, H=4, C=2, rng=np.random.default_rng(0))
    xs = torch.randn(5, 2, 3)
    out, state = net(xs)
    assert out.shape == (5, 2, 2)
    out2, _ = net(xs, state)  # the state it returned is accepted back
    out2.sum().backward()
    assert all(p.grad is not None for p in net.parameters())


def test_cell_net_lstm_equals_torch_nn_lstm_with_the_same_weights():
    from lstm_course import convert

    net = CellNet("lstm", D=3, H=4, C=2, rng=np.random.default_rng(1))
    module = convert.load_into(torch.nn.LSTM(3, 4), [{"forward": {k: v.detach().numpy() for k, v in net.p.items()}}])
    xs = torch.randn(6, 2, 3)
    with torch.no_grad():
        assert torch.allclose(net(xs)[0], net.readout(module(xs)[0]), atol=1e-6)  # float32


def test_cell_net_rejects_an_unknown_cell():
    with pytest.raises(ValueError, match="cell must be one of"):
        CellNet("mgu", 2, 3, 1, np.random.default_rng(0))


def test_run_variants_quick_prints_the_contract_keys_as_the_last_json_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    cli.main(["run", "variants", "--quick"])
    out, err = capsys.readouterr()
    assert "adding problem: rnn, seed 0" in err  # progress goes to stderr
    metrics = json.loads(out.strip().splitlines()[-1])
    metrics = metrics.get("metrics", metrics)
    for key in ("val_bpc_by_variant", "long_lag_success_by_variant"):
        assert CONTRACT_KEYS <= set(metrics[key]), key
        assert all(isinstance(v, float) for v in metrics[key].values())
    assert all(0.0 <= v <= 1.0 for v in metrics["long_lag_success_by_variant"].values())
    assert set(metrics["forget_bias"]) == {"0", "1"}
    assert not list(tmp_path.iterdir()), "the quick run wrote a file nobody asked for"


@pytest.mark.parametrize("reset", ["after", "before"])
def test_gru_diagram_labels_the_reset_form_it_draws(reset):
    import matplotlib

    matplotlib.use("Agg")
    from lstm_course.figures import draw_gru_cell

    fig = draw_gru_cell(reset)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts) + fig.axes[0].get_title()
    assert ("U_n h + b_{hn}" in texts) == (reset == "after") and ("r_t \\odot h" in texts) == (reset == "before")
