"""Readers for the bAbI-like question answering experiment (torch.nn).

Three readers on one budget: a unidirectional LSTM and a bidirectional LSTM
read the story followed by the question and classify the answer from their
final states; the attention reader encodes the story with a bidirectional LSTM,
takes one key per sentence (the output at its "."), and attends over the
sentences with the package's additive attention, the question's encoding
being the query.
"""

import torch
from torch import nn

from ..torch_impl.attention import attention_forward

MODES = ("unidirectional", "bidirectional", "attention")


class StoryReader(nn.Module):
    """A story-and-question classifier over ``n_answers`` answers.

    Parameters
    ----------
    V, n_answers : int
    D, H, A : int
        Embedding, hidden (per direction) and attention sizes.
    mode : {"unidirectional", "bidirectional", "attention"}
    """

    def __init__(self, V, n_answers, D=32, H=64, A=32, mode="attention"):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}; got {mode!r}")
        self.mode = mode
        self.emb = nn.Embedding(V, D, padding_idx=0)
        self.encoder = nn.LSTM(D, H, bidirectional=mode != "unidirectional")
        width = H if mode == "unidirectional" else 2 * H
        if mode == "attention":
            self.question = nn.LSTM(D, H)
            self.attn = nn.ParameterDict({"W_q": nn.Parameter(torch.randn(A, H) / H ** 0.5),
                                          "W_k": nn.Parameter(torch.randn(A, 2 * H) / (2 * H) ** 0.5),
                                          "v": nn.Parameter(torch.randn(A) / A ** 0.5)})
            width = 2 * H + H
        self.readout = nn.Linear(width, n_answers)

    def _run(self, lstm, ids, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.emb(ids), torch.as_tensor(lengths).cpu(),
                                                   enforce_sorted=False)
        out, (h_n, _) = lstm(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=ids.shape[0])
        return out, h_n

    def forward(self, batch):
        """``batch``: dict of tensors from :func:`lstm_course.experiments.qa.to_batch`.

        Returns logits (B, n_answers) and attention weights (N_sent, B), or None.
        """
        if self.mode != "attention":
            _, h_n = self._run(self.encoder, batch["joint"], batch["joint_lengths"])
            final = h_n[0] if self.mode == "unidirectional" else torch.cat([h_n[0], h_n[1]], dim=1)
            return self.readout(final), None
        out, _ = self._run(self.encoder, batch["story"], batch["story_lengths"])  # (S_words, B, 2H)
        keys = out.gather(0, batch["ends"].unsqueeze(2).expand(-1, -1, out.shape[2]))  # (N_sent, B, 2H)
        _, q_n = self._run(self.question, batch["question"], batch["question_lengths"])
        query = q_n[0]  # (B, H)
        context, weights = attention_forward(query, keys, dict(self.attn), batch["mask"])
        return self.readout(torch.cat([context, query], dim=1)), weights
