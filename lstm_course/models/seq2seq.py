"""Trainable encoder–decoders (torch.nn) for the translation experiment.

The maths is that of ``lstm_course.numpy_impl.seq2seq`` (tested there against
the hand-written backward pass), with three changes for speed and accuracy: a
bidirectional ``torch.nn.LSTM`` encoder (Bahdanau et al. 2015) whose final
states are bridged into the decoder's first state; the key projection
``W_k keys`` computed once per source rather than once per target step; and,
without attention, the encoder's summary fed to every decoder step and to the
read-out (Cho et al. 2014), not only to the first state.

Both models share one decoder: at step ``t`` it reads ``[E y_{t-1}, context_t]``
and predicts from ``[h_t, context_t]``. With attention ``context_t`` is the
attention-weighted sum of the encoder outputs; without, it is the same vector
at every step, the two directions' final hidden states ``[h_fwd(S), h_rev(1)]``
(each taken at the sequence's own last step in a padded batch). The two arms
differ only in that one line, which is what the comparison should isolate.
"""

import torch
from torch import nn


class Seq2Seq(nn.Module):
    """Character encoder–decoder, with (``attention=True``) or without additive attention.

    Parameters
    ----------
    V_src, V_tgt : int
        Vocabulary sizes.
    D, H, A : int
        Embedding, hidden (per direction) and attention sizes.
    attention : bool
    """

    def __init__(self, V_src, V_tgt, D=32, H=128, A=64, attention=True):
        super().__init__()
        self.attention = attention
        self.src_emb, self.tgt_emb = nn.Embedding(V_src, D), nn.Embedding(V_tgt, D)
        self.encoder = nn.LSTM(D, H, bidirectional=True)
        self.bridge = nn.Linear(4 * H, 2 * H)  # [h_fwd, h_rev, c_fwd, c_rev] -> decoder (h0, c0)
        H_ctx = 2 * H  # the context: attention-weighted, or the fixed summary
        self.decoder = nn.LSTM(D + H_ctx, H)
        if attention:
            self.W_q = nn.Linear(H, A, bias=False)
            self.W_k = nn.Linear(2 * H, A, bias=False)
            self.v = nn.Linear(A, 1, bias=False)
        self.readout = nn.Linear(H + H_ctx, V_tgt)

    def encode(self, src, src_lengths):
        """``src (S, B)`` -> memory dict and the decoder's first state ``(h0, c0)``, each (B, H).

        The memory holds keys (S, B, 2H), mask (S, B), and with attention the
        projected keys (S, B, A), without it the summary (B, 2H).
        """
        S, B = src.shape
        lengths = torch.as_tensor(src_lengths).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.src_emb(src), lengths, enforce_sorted=False)
        out, (h_n, c_n) = self.encoder(packed)
        keys, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=S)  # (S, B, 2H), zero on padding
        h0, c0 = torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1], c_n[0], c_n[1]], dim=1))).chunk(2, dim=1)
        mask = torch.arange(S, device=src.device)[:, None] < lengths.to(src.device)[None, :]
        memory = {"keys": keys, "mask": mask}
        if self.attention:
            memory["proj_keys"] = self.W_k(keys)  # (S, B, A): does not depend on t, so computed once
        else:  # the final states, at each source's own last step (packing skips the padding)
            memory["summary"] = torch.cat([h_n[0], h_n[1]], dim=1)  # (B, 2H)
        return memory, (h0, c0)

    def step(self, y_prev, state, memory):
        """One decoder step: ``y_prev (B,)`` -> ``(logits (B, V_tgt), state, weights (S, B) or None)``."""
        h, c = state
        weights = None
        if self.attention:
            scores = self.v(torch.tanh(self.W_q(h) + memory["proj_keys"])).squeeze(2)  # (S, B), query h_{t-1}
            weights = torch.softmax(scores.masked_fill(~memory["mask"], float("-inf")), dim=0)
            context = (weights.unsqueeze(2) * memory["keys"]).sum(dim=0)  # (B, 2H)
        else:
            context = memory["summary"]
        x_t = torch.cat([self.tgt_emb(y_prev), context], dim=1)
        _, (h, c) = self.decoder(x_t[None], (h[None], c[None]))
        h, c = h[0], c[0]
        return self.readout(torch.cat([h, context], dim=1)), (h, c), weights

    def forward(self, src, src_lengths, tgt_in):
        """Teacher forcing: ``tgt_in (T, B)`` -> logits (T, B, V_tgt) and weights (T, S, B) or None."""
        memory, state = self.encode(src, src_lengths)
        if not self.attention:  # the inputs do not depend on h: one fused LSTM call over all steps
            T = tgt_in.shape[0]
            summary = memory["summary"].expand(T, *memory["summary"].shape)
            hs, _ = self.decoder(torch.cat([self.tgt_emb(tgt_in), summary], dim=2),
                                 (state[0][None], state[1][None]))
            return self.readout(torch.cat([hs, summary], dim=2)), None
        logits, weights = [], []
        for t in range(tgt_in.shape[0]):
            out, state, alpha = self.step(tgt_in[t], state, memory)
            logits.append(out)
            weights.append(alpha)
        return torch.stack(logits), torch.stack(weights)
