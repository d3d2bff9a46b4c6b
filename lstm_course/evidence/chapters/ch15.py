"""Claims of chapter 15 (``15_captioning``): where the image enters the decoder, in one run at 1,200 steps.

``captioning.json`` trains each captioner once (seed 0), so each interval covers the sampling of the
test scenes (or of the probe's images) from one trained model, not the spread between training runs.
The every-step design also keeps the initial state from the image and adds 4HF input weights, so the
comparison of designs is of three changes at once; the statements say so.
"""

from lstm_course.evidence.claims import Evidence, claim, count_of, side
from lstm_course.evidence.protocol import rate_difference, rate_interval

PROBE_TEST_IMAGES = 500  # shape_probe: 100 images of each of the 20 ordinary objects, the last quarter scored


def _count(rate, n, what):
    return count_of(rate, n, f"captioning.json: {what}")


def _exact(m, key):
    n = m["test_scenes"]
    return _count(m[f"exact_match{key}"], n, f"exact_match{key}"), n


def _probe(m, key):
    return _count(m[f"shape_probe{key}"], PROBE_TEST_IMAGES, f"shape_probe{key}"), PROBE_TEST_IMAGES


@claim("ch15-every-step-beats-initial-state-at-1200-steps", "15_captioning",
       "After 1,200 steps, in one run, the captioner with the image at every step (and in its initial state, "
       "with 4HF more weights) is exactly right on more test scenes than the one with the image in the "
       "initial state only.",
       "supported", "captioning")
def _every_step_beats_initial_state(records):
    m = records["captioning"]["metrics"]
    d = rate_difference(*_exact(m, ""), *_exact(m, "_initial_state"))
    return Evidence(side(d["low"], d["high"], favours="above"), d["effect"], d["low"], d["high"],
                    "test exact match, every step minus initial state", "Newcombe interval, Fisher exact test",
                    d["n_a"], "items", d["p_value"], runs=1)


@claim("ch15-single-look-composes-some-new-scenes", "15_captioning",
       "Each single-look captioner is exactly right on some test scenes, all new, which no copying baseline can "
       "be: the first-input captioner, the lower of the two, is above 0 in one run.",
       "supported", "captioning")
def _single_look_composes(records):
    m = records["captioning"]["metrics"]
    k, n = min(_exact(m, "_initial_state"), _exact(m, "_first_input"))
    w = rate_interval(k, n)
    return Evidence(side(w["low"], w["high"], line=0.0, favours="above"), w["rate"], w["low"], w["high"],
                    "test exact match of the weaker single-look captioner", "Wilson interval", n, "items", runs=1)


@claim("ch15-initial-state-probe-above-majority", "15_captioning",
       "A linear probe reads the shape of a lone object from the initial-state captioner's features more often "
       "than always answering the commonest shape (0.400 of the probe's objects are squares), in one run.",
       "supported", "captioning")
def _initial_state_probe_above_majority(records):
    m = records["captioning"]["metrics"]
    w = rate_interval(*_probe(m, "_initial_state"))
    return Evidence(side(w["low"], w["high"], line=0.4, favours="above"), w["rate"], w["low"], w["high"],
                    "shape probe of the initial-state encoder (line: 0.400)", "Wilson interval", w["n"], "items", runs=1)


@claim("ch15-single-look-probe-below-every-step", "15_captioning",
       "The shape probe reads less of the shape from the initial-state captioner's features than from the "
       "every-step captioner's, in one run of each.",
       "supported", "captioning")
def _single_look_probe_below_every_step(records):
    m = records["captioning"]["metrics"]
    d = rate_difference(*_probe(m, "_initial_state"), *_probe(m, ""))
    return Evidence(side(d["low"], d["high"], favours="below"), d["effect"], d["low"], d["high"],
                    "shape probe, initial state minus every step", "Newcombe interval, Fisher exact test",
                    d["n_a"], "items", d["p_value"], runs=1)
