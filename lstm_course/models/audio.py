r"""A sample-level LSTM over μ-law codes, conditioned on pitch (Torch): the character model, for sound.

At every step the LSTM reads the previous sample's code (embedded), the
decoded values of the last ``context`` samples (the frame that SampleRNN's
sample-level module also sees; zeros before the note starts), and the one-hot
pitch of the note (so the condition reaches every step); a softmax over the
256 codes predicts the next sample.

The pitch also scales the frame, lag by lag (feature-wise linear modulation,
FiLM): the LSTM reads :math:`w_t \odot (1 + g_p)` with :math:`g_p` a learned
gain per lag for pitch :math:`p` (zeros at the start). A one-hot added to the
input can only shift the gates' pre-activations; which past samples matter
depends on the pitch (a plucked string repeats itself one period back), and
that is a product of pitch and frame, which the gain gives directly.
"""

import numpy as np
import torch

from ..data.audio import MU, mu_law_decode

START = 128  # the code of silence (μ-law of 0): what the model reads before the first sample


class SampleLSTM(torch.nn.Module):
    """Sample-level LSTM: (previous code, pitch) -> logits over the next code.

    Parameters
    ----------
    n_pitches : int
    E, H : int
        Code-embedding and hidden sizes.
    context : int
        Length of the frame of past values the LSTM reads at every step.
    num_layers : int
    forget_bias : float
        Added to the forget gate's bias at the start.
    film : bool
        If True (the default), the pitch also scales the frame lag by lag
        (``frame_gain``, shape (n_pitches, context)); if False, the pitch
        reaches the LSTM only as a one-hot input.
    """

    def __init__(self, n_pitches, E=32, H=128, context=40, num_layers=1, forget_bias=1.0, film=True):
        super().__init__()
        self.n_pitches, self.context, Q = n_pitches, context, MU + 1
        self.embed = torch.nn.Embedding(Q, E)
        self.lstm = torch.nn.LSTM(E + context + n_pitches, H, num_layers=num_layers)
        self.readout = torch.nn.Linear(H, Q)
        self.frame_gain = torch.nn.Parameter(torch.zeros(n_pitches, context), requires_grad=film)
        self.register_buffer("values", torch.tensor(mu_law_decode(np.arange(Q)), dtype=torch.float32))
        with torch.no_grad():
            for k in range(num_layers):
                getattr(self.lstm, f"bias_ih_l{k}")[H:2 * H] += forget_bias  # gate order i, f, g, o

    def windows(self, codes):
        """codes (T, B) from the note's start -> (T, B, context): the last ``context`` values, newest first."""
        T, B = codes.shape
        padded = torch.cat([self.values.new_zeros(self.context - 1, B), self.values[codes]])  # zeros before the note
        return torch.stack([padded[self.context - 1 - j:self.context - 1 - j + T] for j in range(self.context)], -1)

    def forward(self, codes_in, pitch, state=None, window=None):
        """codes_in (T, B) int, pitch (B,) int -> logits (T, B, 256), state.

        ``window`` (T, B, context) defaults to :meth:`windows` of ``codes_in``,
        which is right when ``codes_in`` starts with the note; the LSTM reads
        it scaled by ``1 + frame_gain[pitch]`` (lag by lag).
        """
        T, B = codes_in.shape
        window = self.windows(codes_in) if window is None else window
        window = window * (1 + self.frame_gain[pitch])  # (T, B, context) * (B, context): the pitch picks the lags
        condition = torch.nn.functional.one_hot(pitch, self.n_pitches).float().expand(T, B, -1)  # every step
        x = torch.cat([self.embed(codes_in), window, condition], dim=-1)
        out, state = self.lstm(x, state)
        return self.readout(out), state

    @torch.no_grad()
    def generate(self, pitch, n_samples, generator, temperature=1.0):
        """Sample notes of the requested ``pitch`` (B,) one sample at a time: codes (B, n_samples)."""
        B = pitch.shape[0]
        code = torch.full((1, B), START, dtype=torch.long, device=pitch.device)
        window = self.values.new_zeros(1, B, self.context)
        state, out = None, []
        for _ in range(n_samples):
            window = torch.cat([self.values[code][..., None], window[..., :-1]], dim=-1)  # newest first
            logits, state = self(code, pitch, state, window)
            probs = torch.softmax(logits[0] / temperature, dim=-1)  # (B, 256)
            code = torch.multinomial(probs, 1, generator=generator).T  # (1, B)
            out.append(code[0])
        return torch.stack(out, dim=1).cpu().numpy()


def with_start(codes):
    """(B, n) codes -> (n + 1, B) time-major ids with the START code first."""
    codes = np.asarray(codes)
    return np.concatenate([np.full((codes.shape[0], 1), START), codes], axis=1).T


@torch.no_grad()
def bits_per_sample(model, codes, pitch, device="cpu"):
    """Mean negative log2-likelihood of ``codes`` (B, n) given pitches (B,), from silence."""
    model.eval()
    ids = torch.as_tensor(with_start(codes), device=device)
    logits, _ = model(ids[:-1], torch.as_tensor(pitch, device=device))
    nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[1:].reshape(-1))
    model.train()
    return float(nll) / np.log(2)  # nats -> bits
