"""Recorded instruments: notes of known pitch played from the samples of a General MIDI SoundFont.

The ``pretty_midi`` 0.2.11.post0 wheel on PyPI ships ``TimGM6mb.sf2``, Tim Brechbill's small General MIDI
SoundFont (GPL-2; pretty_midi itself is MIT). A SoundFont holds short *recordings* of real instruments
(a guitar string plucked, a piano key struck, a violin bowed), each with the key it was recorded at, and
says which recording plays which key of each instrument. This module reads the file with the standard
library (RIFF chunks, the SoundFont 2 ``pdta`` tables: presets, instruments, their zones and the sample
headers) and plays a note the way a sampler does: the zone's recording, resampled by the ratio of the
requested pitch to the recorded one (including the zone's and the sample's tuning), looped where the
zone loops, at the course's 8 kHz, after a low-pass that keeps the resampling from aliasing. There is no
envelope and no effect: what reaches the model is the recording, moved to the note's pitch. The reader keeps
what this needs and ignores the rest of the format: preset-level generators, velocity ranges, the sample
offset generators, modulators.

Chapter 16's generated notes are Karplus--Strong strings; these are the recorded counterpart, at the same
six pitches (``NOTE_NAMES`` of :mod:`lstm_course.data.audio`), with the instrument as a second label.
"""

import struct
from typing import NamedTuple

import numpy as np

from ..data.audio import SAMPLE_RATE, mu_law_encode
from .cache import Source, files

SOURCE = Source(
    name="instruments", package="pretty_midi", version="0.2.11.post0",
    archive="pretty_midi-0.2.11.post0-py3-none-any.whl",
    sha256="a3e2321736245a9c92259716d85a4762f16b7bde2f591fb0dba95bdb6e793d8a", size=5_597_222, sdist=False,
    members=("pretty_midi/TimGM6mb.sf2",),
    digest="3627c0a512222f3c1b6f219c89a912d5e6bd3f9724afc91f842e788f8349dafc",
    licence="TimGM6mb.sf2 is Tim Brechbill's General MIDI SoundFont, under the GPL-2 (not covered by the MIT "
            "licence of the pretty_midi package that carries it): for your own study; recordings made from it "
            "carry its terms",
    description="TimGM6mb, a 6 MB General MIDI SoundFont: recorded samples of 128 instruments")

FILE = "TimGM6mb.sf2"
SCALE_KEYS = (57, 60, 62, 64, 67, 69)  # MIDI keys of NOTE_NAMES: A3 C4 D4 E4 G4 A4
INSTRUMENTS = {  # General MIDI program -> how the sound is made
    0: "struck", 24: "plucked", 46: "plucked", 105: "plucked", 11: "struck", 12: "struck",
    40: "bowed", 42: "bowed", 73: "blown", 68: "blown", 71: "blown", 56: "blown"}
KEY_RANGE, OVERRIDING_ROOT_KEY, SAMPLE_ID, INSTRUMENT = 43, 58, 53, 41  # SoundFont 2 generator numbers
COARSE_TUNE, FINE_TUNE, SAMPLE_MODES = 51, 52, 54


class Zone(NamedTuple):
    """One recording and the keys it plays: ``keys`` (low, high), ``root`` key, ``tune`` in cents, ``loop``."""

    keys: tuple
    root: int
    tune: float
    loop: bool
    sample: int


class Sample(NamedTuple):
    """A sample header: where the recording lies in the sample data, its rate, loop points and correction."""

    name: str
    start: int
    end: int
    loop_start: int
    loop_end: int
    rate: int
    pitch: int
    correction: int


class SoundFont(NamedTuple):
    """What :func:`read_soundfont` reads: preset names and zones by General MIDI program, samples, data."""

    presets: dict  # program -> (name, [Zone])
    samples: list  # [Sample]
    data: np.ndarray  # (n,) int16, every recording, end to end


def _chunks(buf, offset, end):
    while offset + 8 <= end:
        name, size = struct.unpack_from("<4sI", buf, offset)
        yield name, offset + 8, size
        offset += 8 + size + (size & 1)


def _records(buf, where, fmt):
    offset, size = where
    step = struct.calcsize(fmt)
    return [struct.unpack_from(fmt, buf, offset + i * step) for i in range(size // step)]


def read_soundfont(raw):
    """Parse the bytes of a SoundFont 2 file (presets of bank 0, their instruments' zones, samples).

    Parameters
    ----------
    raw : bytes

    Returns
    -------
    SoundFont

    Raises
    ------
    ValueError
        When ``raw`` is not a RIFF ``sfbk`` file with sample data and the ``pdta`` tables.
    """
    if raw[:4] != b"RIFF" or raw[8:12] != b"sfbk":
        raise ValueError("not a SoundFont 2 file (expected a RIFF 'sfbk' header)")
    table = {}
    for name, offset, size in _chunks(raw, 12, len(raw)):
        if name == b"LIST":
            for inner, inner_offset, inner_size in _chunks(raw, offset + 4, offset + size):
                table[inner] = (inner_offset, inner_size)
    missing = [n.decode() for n in (b"smpl", b"phdr", b"pbag", b"pgen", b"inst", b"ibag", b"igen", b"shdr")
               if n not in table]
    if missing:
        raise ValueError(f"the SoundFont has no {', '.join(missing)} chunk")
    offset, size = table[b"smpl"]
    data = np.frombuffer(raw, dtype="<i2", count=size // 2, offset=offset)
    samples = [Sample(n.split(b"\0")[0].decode("latin-1"), *rest[:7])
               for n, *rest in _records(raw, table[b"shdr"], "<20sIIIIIBbHH")]
    generators = [(op, amount) for op, amount in _records(raw, table[b"igen"], "<HH")]
    bags = [g for g, _ in _records(raw, table[b"ibag"], "<HH")]
    instruments = [b for _, b in _records(raw, table[b"inst"], "<20sH")]
    zones_of = [_instrument_zones(generators, bags, instruments[i], instruments[i + 1], samples)
                for i in range(len(instruments) - 1)]
    pgen = [(op, amount) for op, amount in _records(raw, table[b"pgen"], "<HH")]
    pbags = [g for g, _ in _records(raw, table[b"pbag"], "<HH")]
    presets = {}
    headers = _records(raw, table[b"phdr"], "<20sHHHIII")
    for (name, program, bank, first, *_), (_, _, _, last, *_) in zip(headers, headers[1:]):
        if bank != 0:
            continue
        zones = []
        for bag in range(first, last):
            for op, amount in pgen[pbags[bag]:pbags[bag + 1]]:
                if op == INSTRUMENT and amount < len(zones_of):
                    zones += zones_of[amount]
        presets[program] = (name.split(b"\0")[0].decode("latin-1"), zones)
    return SoundFont(presets, samples, data)


def _instrument_zones(generators, bags, first, last, samples):
    zones, shared = [], {}
    for bag in range(first, last):
        values = dict(generators[bags[bag]:bags[bag + 1]])
        if SAMPLE_ID not in values:  # a global zone: its generators apply to every other zone
            shared = values
            continue
        values = {**shared, **values}
        sample = samples[values[SAMPLE_ID]]
        low, high = values.get(KEY_RANGE, 127 << 8) & 0xFF, values.get(KEY_RANGE, 127 << 8) >> 8
        root = values.get(OVERRIDING_ROOT_KEY, 0xFFFF)
        signed = lambda v: v - 0x10000 if v >= 0x8000 else v  # noqa: E731
        tune = 100 * signed(values.get(COARSE_TUNE, 0)) + signed(values.get(FINE_TUNE, 0)) + sample.correction
        zones.append(Zone((low, high), sample.pitch if root == 0xFFFF else root, float(tune),
                          values.get(SAMPLE_MODES, 0) & 1 == 1, values[SAMPLE_ID]))
    return zones


def low_pass(x, cutoff, taps=63):
    """``x`` through a Hann-windowed sinc filter of ``taps`` taps with its cutoff at ``cutoff`` cycles per sample.

    Parameters
    ----------
    x : ndarray (n,)
    cutoff : float
        In (0, 0.5): the fraction of the sampling rate above which the filter removes what it can.
    taps : int
        Odd; the filter is centred, so the output is aligned with ``x``.

    Returns
    -------
    ndarray (n,)
    """
    n = np.arange(taps) - taps // 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hanning(taps)
    return np.convolve(x, h / h.sum(), mode="same")


def play(font, program, key, n_samples, sample_rate=SAMPLE_RATE):
    """One note: ``program``'s recording for ``key``, resampled to its pitch, looped where it loops.

    Resampling to a lower rate first low-passes the recording (:func:`low_pass`, at 0.45 of the new rate), so
    that what it held above the new Nyquist frequency does not fold back as aliases.

    Parameters
    ----------
    font : SoundFont
    program : int
        A General MIDI program of bank 0 (0 is the grand piano, 24 the nylon guitar, 40 the violin).
    key : int
        The MIDI key (60 is middle C, 69 the A at 440 Hz).
    n_samples : int
    sample_rate : int

    Returns
    -------
    ndarray (n_samples,)
        Float in [-1, 1], the recording's own level (zeros after a recording that ends without a loop).

    Raises
    ------
    ValueError
        When the program has no zone for the key.
    """
    zones = [z for z in font.presets.get(program, ("", []))[1] if z.keys[0] <= key <= z.keys[1]]
    if not zones:
        raise ValueError(f"program {program} has no recording for key {key}")
    zone = zones[0]
    sample = font.samples[zone.sample]
    ratio = 2.0 ** (((key - zone.root) * 100 + zone.tune) / 1200)  # source samples per recorded sample
    step = ratio * sample.rate / sample_rate
    position = np.arange(n_samples) * step  # in the recording, from its start
    length = sample.end - sample.start
    if zone.loop and sample.loop_end > sample.loop_start:
        loop_start, loop_length = sample.loop_start - sample.start, sample.loop_end - sample.loop_start
        beyond = position >= loop_start + loop_length
        position[beyond] = loop_start + np.mod(position[beyond] - loop_start, loop_length)
    recording = font.data[sample.start:sample.end].astype(np.float64) / 32768.0
    if step > 1:  # fewer samples out than in: remove what the new rate cannot hold
        recording = np.clip(low_pass(recording, 0.45 / step), -1.0, 1.0)  # the ringing may pass full scale
    wave = np.interp(position, np.arange(length), recording, right=0.0)
    wave[position > length - 1] = 0.0
    return wave


class Notes(NamedTuple):
    """Recorded notes: like :class:`lstm_course.data.audio.Notes`, with each note's instrument."""

    waves: np.ndarray  # (N, n_samples) float in [-1, 1]
    codes: np.ndarray  # (N, n_samples) int, mu-law codes in [0, 255]
    pitch: np.ndarray  # (N,) int, index into NOTE_NAMES
    program: np.ndarray  # (N,) int, the General MIDI program


def notes(programs, n_samples, rng, per_note=1, font=None):
    """Every scale pitch on every program, ``per_note`` times at levels drawn from [0.5, 0.9] of full scale.

    Parameters
    ----------
    programs : sequence of int
    n_samples : int
    rng : numpy.random.Generator
        Draws the levels (each note is scaled so that its peak is that level).
    per_note : int
    font : SoundFont, optional
        Read from the cache when not given (``python -m lstm_course data fetch instruments``).

    Returns
    -------
    Notes
    """
    font = font or soundfont()
    waves, pitch, program = [], [], []
    for p in programs:
        for k, key in enumerate(SCALE_KEYS):
            wave = play(font, p, key, n_samples)
            peak = np.max(np.abs(wave)) or 1.0
            for _ in range(per_note):
                waves.append(wave / peak * rng.uniform(0.5, 0.9))
                pitch.append(k)
                program.append(p)
    waves = np.stack(waves)
    return Notes(waves, mu_law_encode(waves), np.array(pitch), np.array(program))


def soundfont():
    """The cached SoundFont, read (:func:`read_soundfont`); raises DataUnavailable when it is not fetched."""
    return read_soundfont((files(SOURCE) / FILE).read_bytes())
