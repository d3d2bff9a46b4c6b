"""Claims of chapter 11 (``11_encoder_decoder``): attention against the fixed-size vector, in one run.

The saved run (``translate.json``) trains each arm once, from seed 0, so every interval here covers
the sampling of the test numbers only, not the spread between training runs; the statements say
"in one run" and name the budget. The record keeps rates; the counts are recovered from the band
sizes (test) and from the run's fixed held-out size.

The claims on real verses (``translate-bible.json``) are over the run's training seeds instead: their
intervals cover the spread between training runs, not the choice of test verses.
"""

from lstm_course.evidence.claims import Evidence, against_fixed_baseline, claim, count_of, side
from lstm_course.evidence.protocol import paired_comparison, rate_difference

HELD_OUT_NUMBERS = 300  # the full run's held-out band, ``translate._config(quick=False)["n_held_out"]``


def _count(rate, n, what):
    return count_of(rate, n, f"translate.json: {what}")


def _test(m, key):
    n = sum(m["band_sizes"].values())
    return _count(m[f"exact_match_{key}"], n, f"exact_match_{key}"), n


def _band(m, band, arm):
    n = m["band_sizes"][band]
    rate = (m["exact_match_by_length_no_attention_long_budget"][band] if arm == "no_attention_long_budget"
            else m["exact_match_by_length"][band][arm])
    return _count(rate, n, f"exact match of {arm} in band {band}"), n


def _held(m, key):
    return _count(m[f"exact_match_held_out_{key}"], HELD_OUT_NUMBERS, f"exact_match_held_out_{key}"), HELD_OUT_NUMBERS


def _difference(a, b, effect_name, favours="above", same_items=False):
    """``a - b`` of two (successes, n) counts; ``same_items``: two models on the same numbers (n counted once)."""
    d = rate_difference(*a, *b)
    n = d["n_a"] if same_items else d["n_a"] + d["n_b"]
    return Evidence(side(d["low"], d["high"], favours=favours), d["effect"], d["low"], d["high"], effect_name,
                    "Newcombe interval, Fisher exact test (numbers of one run)", n, "items", d["p_value"], runs=1)


@claim("ch11-attention-beats-fixed-vector-at-200-steps", "11_encoder_decoder",
       "After 200 steps, in one run, the model with attention writes more test numbers exactly right than "
       "the model without it (same data, encoder, decoder and steps).",
       "supported", "translate")
def _attention_beats_fixed_vector(records):
    m = records["translate"]["metrics"]
    return _difference(_test(m, "attention"), _test(m, "no_attention"),
                       "test exact match, attention minus no attention (200 steps)", same_items=True)


@claim("ch11-fixed-vector-falls-with-length-at-200-steps", "11_encoder_decoder",
       "After 200 steps, in one run, the model without attention is exactly right on fewer of the longest "
       "test numbers (60+ characters) than of those of 30-44 characters.",
       "supported", "translate")
def _fixed_vector_falls_with_length(records):
    m = records["translate"]["metrics"]
    return _difference(_band(m, "30-44", "no_attention"), _band(m, "60+", "no_attention"),
                       "exact match of no attention at 200 steps, band 30-44 minus band 60+")


@claim("ch11-longer-training-closes-the-gap", "11_encoder_decoder",
       "Trained three times as long (600 steps), the model without attention and the 200-step model with "
       "attention cannot be told apart on the test numbers (one run each).",
       "inconclusive", "translate")
def _longer_training_closes_the_gap(records):
    m = records["translate"]["metrics"]
    return _difference(_test(m, "no_attention_long_budget"), _test(m, "attention"),
                       "test exact match, no attention at 600 steps minus attention at 200", same_items=True)


@claim("ch11-attention-lower-on-held-out-band", "11_encoder_decoder",
       "After 200 steps, in one run, the model with attention is exactly right on fewer numbers of the "
       "held-out band (900,000 up) than of the test numbers.",
       "supported", "translate")
def _attention_lower_on_held_out(records):
    m = records["translate"]["metrics"]
    return _difference(_held(m, "attention"), _test(m, "attention"),
                       "exact match of attention at 200 steps, held-out band minus test", favours="below")


@claim("ch11-attention-lower-on-shortest-band", "11_encoder_decoder",
       "After 200 steps, in one run, the model with attention is exactly right on fewer test numbers of "
       "0-29 characters than of 30-44 characters.",
       "supported", "translate")
def _attention_lower_on_shortest_band(records):
    m = records["translate"]["metrics"]
    return _difference(_band(m, "0-29", "attention"), _band(m, "30-44", "attention"),
                       "exact match of attention at 200 steps, band 0-29 minus band 30-44", favours="below")


@claim("ch11-fixed-vector-lower-on-shortest-band", "11_encoder_decoder",
       "After 200 steps, in one run, the model without attention is exactly right on fewer test numbers of "
       "0-29 characters than of 30-44 characters: with 19 numbers in the shortest band this is not decided.",
       "inconclusive", "translate")
def _fixed_vector_lower_on_shortest_band(records):
    m = records["translate"]["metrics"]
    return _difference(_band(m, "0-29", "no_attention"), _band(m, "30-44", "no_attention"),
                       "exact match of no attention at 200 steps, band 0-29 minus band 30-44", favours="below")


def _bible(records, key):
    return records["translate-bible"]["metrics"][key]


@claim("ch11-bible-attention-beats-no-attention-chrf", "11_encoder_decoder",
       "On real verses of held-out books (English to French, at most 20 tokens), the encoder-decoder with "
       "attention scores a higher chrF than the same model without it, trained from the same seeds for the same "
       "steps.",
       "supported", "translate-bible")
def _bible_attention_beats_fixed_vector(records):
    c = paired_comparison(_bible(records, "attention_chrf_per_seed"), _bible(records, "no_attention_chrf_per_seed"))
    return Evidence(side(c["low"], c["high"], favours="above"), c["effect"], c["low"], c["high"],
                    "test chrF, attention minus none", c["test"], c["n"], "seeds", c["p_value"])


@claim("ch11-bible-nearest-verse-beats-attention-chrf", "11_encoder_decoder",
       "On the same verses, at this budget, the French of the most similar training verse scores a higher chrF "
       "than the attention model's translation.",
       "supported", "translate-bible")
def _bible_retrieval_beats_attention(records):
    return against_fixed_baseline(_bible(records, "attention_chrf_per_seed"), _bible(records, "nearest_chrf"),
                                  "test chrF, attention minus nearest training verse", favours="below")
