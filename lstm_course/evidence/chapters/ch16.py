"""Claims of chapter 16 (``16_audio``): what the per-pitch gain on the frame does, over seeds."""

from lstm_course.evidence.claims import Evidence, against_fixed_baseline, claim, side
from lstm_course.evidence.protocol import paired_comparison


def _arms(study, metric):
    seeds = sorted(study["per_seed"], key=int)
    gain = [study["per_seed"][s][metric] for s in seeds]
    plain = [study["per_seed"][s]["ablation_no_film"][metric] for s in seeds]
    return gain, plain


@claim("ch16-gain-raises-pitch-accuracy", "16_audio",
       "With the per-pitch gain, more generated notes land within 50 cents of their pitch than with the "
       "one-hot pitch input alone (same seeds, data, steps and starting weights).",
       "supported", "audio-seeds")
def _gain_raises_pitch_accuracy(records):
    gain, plain = _arms(records["audio-seeds"], "pitch_within_50_cents")
    c = paired_comparison(gain, plain)
    return Evidence(side(c["low"], c["high"], favours="above"), c["effect"], c["low"], c["high"],
                    "fraction within 50 cents, gain minus one-hot", c["test"], c["n"], "seeds", c["p_value"])


@claim("ch16-gain-lowers-validation-bits", "16_audio",
       "The gain lowers the validation bits per sample against the one-hot ablation (same seeds).",
       "supported", "audio-seeds")
def _gain_lowers_validation_bits(records):
    gain, plain = _arms(records["audio-seeds"], "val_bits_per_sample")
    c = paired_comparison(plain, gain)
    return Evidence(side(c["low"], c["high"], favours="above"), c["effect"], c["low"], c["high"],
                    "val bits/sample, one-hot minus gain", c["test"], c["n"], "seeds", c["p_value"])


IN_TUNE_BAR = 0.9  # ch16-instruments-plays-in-tune: the share of generated notes within 50 cents it must exceed


def _instruments(records, key):
    return records["audio-instruments"]["metrics"][key]


@claim("ch16-instruments-beats-bigram", "16_audio",
       "On the recordings of three instruments it never heard, the sample-level LSTM needs fewer bits per "
       "sample than a bigram over the codes fitted on the training instruments.",
       "supported", "audio-instruments")
def _instruments_beats_bigram(records):
    return against_fixed_baseline(_instruments(records, "held_out_bits_per_sample_per_seed"),
                                  _instruments(records, "bigram_bits_per_sample"),
                                  "held-out bits/sample, LSTM minus bigram", favours="below")


@claim("ch16-instruments-beats-pooled-lpc", "16_audio",
       "On the held-out instruments the LSTM needs fewer bits per sample than one linear predictor of order 40 "
       "fitted on all training notes.",
       "supported", "audio-instruments")
def _instruments_against_pooled_lpc(records):
    return against_fixed_baseline(_instruments(records, "held_out_bits_per_sample_per_seed"),
                                  _instruments(records, "lpc_bits_per_sample"),
                                  "held-out bits/sample, LSTM minus pooled linear predictor", favours="below")


@claim("ch16-instruments-per-pitch-lpc-beats-lstm", "16_audio",
       "A linear predictor fitted for each pitch on the training instruments needs fewer bits per sample on "
       "the held-out instruments than the LSTM.",
       "supported", "audio-instruments")
def _instruments_per_pitch_lpc_wins(records):
    return against_fixed_baseline(_instruments(records, "held_out_bits_per_sample_per_seed"),
                                  _instruments(records, "lpc_per_pitch_bits_per_sample"),
                                  "held-out bits/sample, LSTM minus per-pitch linear predictor", favours="above")


@claim("ch16-instruments-plays-in-tune", "16_audio",
       "Trained on recorded instruments and told only the pitch, the LSTM plays more than nine in ten of its "
       "generated one-second notes within 50 cents of the pitch asked for.",
       "inconclusive", "audio-instruments")
def _instruments_in_tune(records):
    return against_fixed_baseline(_instruments(records, "pitch_within_50_cents_per_seed"), IN_TUNE_BAR,
                                  f"fraction within 50 cents, minus {IN_TUNE_BAR}", favours="above")
