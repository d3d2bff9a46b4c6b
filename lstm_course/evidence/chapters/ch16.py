"""Claims of chapter 16 (``16_audio``): what the per-pitch gain on the frame does, over seeds."""

from lstm_course.evidence.claims import Evidence, claim, side
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
