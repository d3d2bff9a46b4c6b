"""The trainable encoder–decoder conditions its decoder on the right encoder states, padded or not."""

import pytest
import torch

from lstm_course.models.seq2seq import Seq2Seq


def _model(attention, H=5):
    torch.manual_seed(0)
    return Seq2Seq(9, 11, D=4, H=H, A=3, attention=attention).double()


def _padded_batch():
    lengths = [6, 3, 1]
    src = torch.zeros(6, 3, dtype=torch.long)  # 0 is PAD
    for b, n in enumerate(lengths):
        src[:n, b] = torch.arange(1, n + 1) + b
    return src, lengths


@pytest.mark.parametrize("attention", [True, False])
def test_padded_batch_starts_each_decoder_from_its_own_sources_last_step(attention):
    model, (src, lengths) = _model(attention), _padded_batch()
    memory, (h0, c0) = model.encode(src, lengths)
    for b, n in enumerate(lengths):
        alone, (h_alone, c_alone) = model.encode(src[:n, b:b + 1], [n])  # no padding at all
        assert torch.allclose(h0[b], h_alone[0], atol=1e-12) and torch.allclose(c0[b], c_alone[0], atol=1e-12)
        if not attention:
            assert torch.allclose(memory["summary"][b], alone["summary"][0], atol=1e-12)


def test_summary_holds_both_directions_final_states():
    H = 5
    model, (src, lengths) = _model(False, H), _padded_batch()
    memory, _ = model.encode(src, lengths)
    for b, n in enumerate(lengths):
        forward_last = memory["keys"][n - 1, b, :H]  # the forward LSTM after the last true word
        reverse_last = memory["keys"][0, b, H:]  # the reverse LSTM after the first word
        assert torch.allclose(memory["summary"][b], torch.cat([forward_last, reverse_last]), atol=1e-12)


@pytest.mark.parametrize("attention", [True, False])
def test_teacher_forced_forward_equals_step_by_step_decoding(attention):
    model, (src, lengths) = _model(attention), _padded_batch()
    tgt_in = torch.randint(1, 11, (4, 3))
    logits, _ = model(src, lengths, tgt_in)
    memory, state = model.encode(src, lengths)
    for t in range(4):
        out, state, _ = model.step(tgt_in[t], state, memory)
        assert torch.allclose(logits[t], out, atol=1e-12)


def test_decoder_without_attention_reads_the_summary_at_every_step():
    model, (src, lengths) = _model(False), _padded_batch()
    tgt_in = torch.randint(1, 11, (4, 3))
    memory, state = model.encode(src, lengths)
    _, state = model.step(tgt_in[0], state, memory)[:2]
    logits, _, _ = model.step(tgt_in[1], state, memory)
    memory["summary"] = memory["summary"] + 1.0  # the same state, a different summary
    changed, _, _ = model.step(tgt_in[1], state, memory)
    assert not torch.allclose(logits, changed)
