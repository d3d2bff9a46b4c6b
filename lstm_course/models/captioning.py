r"""An image captioner: a small CNN encoder trained end to end with an LSTM decoder (Torch).

Three ways to condition the decoder on the image features :math:`f`:

- ``"init"``: the initial state, :math:`h_0 = \tanh(W_{img} f + b_{img})`, :math:`c_0 = 0`
  (the maths of ``lstm_course.numpy_impl.conditioned``, tested against it);
- ``"input"``: Show and Tell's first input, :math:`x_{-1} = W_{img} f + b_{img}`, read
  before the start token, from :math:`h_0 = 0`;
- ``"every"``: the initial state as in ``"init"``, and the features again at every step,
  :math:`x_t = [E w_{t-1}; f]` (the fixed context of Cho et al.'s encoder-decoder), so the
  decoder never has to carry what it saw through its recurrence.
"""

import numpy as np
import torch

from ..data.shapes import IMAGE_SIZE, MAX_CAPTION_WORDS, VOCAB, WORD_ID, decode_ids, encode_captions

CONDITIONINGS = ("init", "input", "every")


class Captioner(torch.nn.Module):
    """CNN encoder (3 x IMAGE_SIZE x IMAGE_SIZE -> F features) and LSTM decoder over the caption vocabulary.

    Parameters
    ----------
    conditioning : {"init", "input", "every"}
    F, E, H : int
        Feature, word-embedding and hidden sizes.
    forget_bias : float
        Added to the decoder's forget-gate bias at initialisation.
    vocab : tuple of str
        The caption words, ``SPECIALS`` first (by default the shape scenes'; chapter 15's digit strips bring
        their own).
    max_words : int
        The longest caption :meth:`greedy` writes, in words.
    """

    def __init__(self, conditioning="init", F=128, E=32, H=128, forget_bias=1.0, vocab=VOCAB,
                 max_words=MAX_CAPTION_WORDS):
        super().__init__()
        if conditioning not in CONDITIONINGS:
            raise ValueError(f"conditioning must be 'init', 'input' or 'every'; got {conditioning!r}")
        self.conditioning, self.vocab, self.max_words, V = conditioning, tuple(vocab), max_words, len(vocab)

        def conv(a, b, kernel=3, stride=1, padding=1, pool=True):
            return [torch.nn.Conv2d(a, b, kernel, stride, padding), torch.nn.BatchNorm2d(b), torch.nn.ReLU(),
                    *([torch.nn.MaxPool2d(2)] if pool else [])]

        grid = IMAGE_SIZE // 8  # 48 -> 24 (a strided first convolution) -> 12 -> 6
        # The strided first layer replaced a 3 x 3 convolution and pooling at full resolution: that encoder
        # took about twice the time on one thread (far more with two threads on a loaded machine), and in a
        # trial of 1200 steps its training loss was higher (0.19 against 0.14).
        self.encoder = torch.nn.Sequential(*conv(3, 16, 4, 2, 1, pool=False), *conv(16, 32), *conv(32, 64),
                                           torch.nn.Flatten(), torch.nn.Linear(64 * grid * grid, F),
                                           torch.nn.BatchNorm1d(F))
        # Features centred over the batch, at unit scale. Without this (ReLU features, |f| ~ 5), Adam moved
        # all of W_img the same way within 50 steps, W_img f sat in the tanh's flat tails, h0 was the same
        # for every image, and the decoder learned captions that ignore the image.
        self.img = torch.nn.Linear(F, E if conditioning == "input" else H)  # W_img, b_img
        self.embed = torch.nn.Embedding(V, E)
        self.lstm = torch.nn.LSTM(E + (F if conditioning == "every" else 0), H)
        self.readout = torch.nn.Linear(H, V)
        with torch.no_grad():
            self.lstm.bias_ih_l0[H:2 * H] += forget_bias  # torch's gate order is i, f, g, o

    def features(self, images):
        """images (B, 3, IMAGE_SIZE, IMAGE_SIZE) -> features (B, F)."""
        return self.encoder(images)

    def start(self, features):
        """The decoder's state after seeing the image: ``(h, c)``, each (1, B, H)."""
        B, H = features.shape[0], self.lstm.hidden_size
        if self.conditioning != "input":
            h0 = torch.tanh(self.img(features))[None]  # eq. (cond-h0): (1, B, H)
            return h0, torch.zeros_like(h0)
        zeros = features.new_zeros(1, B, H)
        _, state = self.lstm(self.img(features)[None], (zeros, zeros))  # x_{-1}: (1, B, E)
        return state

    def inputs(self, ids, features):
        """The decoder's inputs (T, B, E), or (T, B, E + F) with the features at every step, for ``ids`` (T, B)."""
        x = self.embed(ids)
        if self.conditioning != "every":
            return x
        return torch.cat([x, features[None].expand(ids.shape[0], -1, -1)], dim=2)  # x_t = [E w_{t-1}; f]

    def forward(self, images, ids_in):
        """Logits (T, B, V) of the next token, reading ``ids_in`` (T, B) from the image's state."""
        features = self.features(images)
        out, _ = self.lstm(self.inputs(ids_in, features), self.start(features))  # (T, B, H)
        return self.readout(out)

    @torch.no_grad()
    def greedy(self, images, max_len=None):
        """Greedy captions (list of B strings) of ``images`` (B, 3, IMAGE_SIZE, IMAGE_SIZE), at most ``max_len``
        tokens (by default ``max_words + 1``, the end token included)."""
        B, features = images.shape[0], self.features(images)
        state = self.start(features)
        token = torch.full((1, B), self.vocab.index("<start>"), dtype=torch.long, device=images.device)
        out = []
        for _ in range(max_len or self.max_words + 1):
            h, state = self.lstm(self.inputs(token, features), state)
            token = self.readout(h).argmax(-1)  # (1, B)
            out.append(token[0])
        ids = torch.stack(out).cpu().numpy()  # (max_len, B)
        return [decode_ids(ids[:, j], self.vocab) for j in range(B)]


def caption_loss(model, images, ids, mask):
    """Mean cross-entropy (nats per real token) of ``ids[1:]`` given ``ids[:-1]`` and the images."""
    logits = model(images, ids[:-1])  # (T, B, V)
    nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[1:].reshape(-1),
                                            reduction="none")
    return (nll * mask.reshape(-1)).sum() / mask.sum()


def caption_batches(split, batch_size, rng, device="cpu", vocab=VOCAB):
    """``batches(step)`` for the training loop: random images, each with one of its references at random
    (word ids into ``vocab``)."""
    images = torch.as_tensor(split.images, device=device)

    def batches(step):
        rows = rng.integers(0, len(split.references), batch_size)
        texts = [split.references[r][rng.integers(len(split.references[r]))] for r in rows]
        ids, mask = encode_captions(texts, vocab=vocab)
        return (images[torch.as_tensor(rows, device=device)], torch.as_tensor(ids, device=device),
                torch.as_tensor(mask, device=device))

    return batches


@torch.no_grad()
def predict(model, images, batch_size=500, device="cpu"):
    """Greedy captions and features (N, F) for ``images`` (N, 3, IMAGE_SIZE, IMAGE_SIZE), in batches."""
    model.eval()
    captions, features = [], []
    for start in range(0, len(images), batch_size):
        x = torch.as_tensor(images[start:start + batch_size], device=device)
        captions += model.greedy(x)
        features.append(model.features(x).cpu().numpy())
    model.train()
    return captions, np.concatenate(features)


@torch.no_grad()
def features_of(model, images, batch_size=500, device="cpu"):
    """The encoder's features (N, F) of ``images`` (N, 3, IMAGE_SIZE, IMAGE_SIZE), in batches, in eval mode."""
    model.eval()
    features = [model.features(torch.as_tensor(images[start:start + batch_size], device=device)).cpu().numpy()
                for start in range(0, len(images), batch_size)]
    model.train()
    return np.concatenate(features)


class AttentionCaptioner(Captioner):
    r"""The captioner that looks: soft attention over the encoder's grid at every word (Show, Attend and Tell).

    The encoder's last convolution gives a grid of ``G x G`` cells (6 x 6 for
    48-pixel images), each a vector :math:`a_j` of ``C`` channels. The decoder
    starts from :math:`h_0 = \tanh(W_{img} f + b_{img})` as in ``"init"``, and at
    step ``t`` reads the context :math:`z_t = \sum_j \alpha_{t,j} a_j` with
    additive attention (``lstm_course.torch_impl.attention``, query
    :math:`h_{t-1}`), beside the previous word: :math:`x_t = [E w_{t-1}; z_t]`.

    Parameters
    ----------
    F, E, H : int
        Feature, word-embedding and hidden sizes.
    A : int
        Attention size.
    forget_bias : float
        Added to the decoder's forget-gate bias at initialisation.
    """

    def __init__(self, F=128, E=32, H=128, A=64, forget_bias=1.0):
        super().__init__("init", F, E, H, forget_bias)
        self.conditioning = "attend"
        C = self.encoder[-2].in_features // (IMAGE_SIZE // 8) ** 2  # the channels of one grid cell
        self.lstm = torch.nn.LSTM(E + C, H)
        with torch.no_grad():
            self.lstm.bias_ih_l0[H:2 * H] += forget_bias
        self.W_q = torch.nn.Parameter(torch.randn(A, H) / H ** 0.5)
        self.W_k = torch.nn.Parameter(torch.randn(A, C) / C ** 0.5)
        self.v = torch.nn.Parameter(torch.randn(A) / A ** 0.5)

    def memory(self, images):
        """``(keys (G*G, B, C), features (B, F))``: the grid cells in row-major order, and the feature vector f."""
        grid = self.encoder[:-3](images)  # (B, C, G, G): everything before Flatten, Linear, BatchNorm1d
        return grid.flatten(2).permute(2, 0, 1), self.encoder[-3:](grid)

    def features(self, images):
        """images (B, 3, IMAGE_SIZE, IMAGE_SIZE) -> features (B, F)."""
        return self.memory(images)[1]

    def decode(self, ids, keys, state):
        """``(logits (T, B, V), weights (T, G*G, B), state)`` reading ``ids`` (T, B) from ``state``."""
        from ..torch_impl.attention import attention_forward

        params = {"W_q": self.W_q, "W_k": self.W_k, "v": self.v}
        logits, weights = [], []
        for t in range(ids.shape[0]):
            context, alpha = attention_forward(state[0][0], keys, params)  # query h_{t-1}: (B, H)
            out, state = self.lstm(torch.cat([self.embed(ids[t]), context], dim=1)[None], state)
            logits.append(self.readout(out[0]))
            weights.append(alpha)
        return torch.stack(logits), torch.stack(weights), state

    def forward(self, images, ids_in):
        """Logits (T, B, V) of the next token, reading ``ids_in`` (T, B) from the image's state."""
        keys, features = self.memory(images)
        return self.decode(ids_in, keys, self.start(features))[0]

    @torch.no_grad()
    def attention_of(self, images, ids_in):
        """The attention weights (T, G*G, B) while reading ``ids_in`` (T, B) (teacher forcing)."""
        keys, features = self.memory(images)
        return self.decode(ids_in, keys, self.start(features))[1]

    @torch.no_grad()
    def greedy_with_weights(self, images, max_len=MAX_CAPTION_WORDS + 1):
        """Greedy captions (list of B strings) and the weights (max_len, G*G, B) behind each word."""
        B = images.shape[0]
        keys, features = self.memory(images)
        state = self.start(features)
        token = torch.full((1, B), WORD_ID["<start>"], dtype=torch.long, device=images.device)
        out, weights = [], []
        for _ in range(max_len):
            logits, alpha, state = self.decode(token, keys, state)
            token = logits.argmax(-1)  # (1, B)
            out.append(token[0])
            weights.append(alpha[0])
        ids = torch.stack(out).cpu().numpy()
        return [decode_ids(ids[:, j]) for j in range(B)], torch.stack(weights)

    def greedy(self, images, max_len=MAX_CAPTION_WORDS + 1):
        """Greedy captions (list of B strings) of ``images`` (B, 3, IMAGE_SIZE, IMAGE_SIZE)."""
        return self.greedy_with_weights(images, max_len)[0]
