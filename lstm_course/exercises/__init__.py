"""Self-study exercises: checkers that return True or False, explain what is wrong, and never raise.

Learner code runs in a child process with a time limit (``_guard.TIME_LIMIT``,
10 s per call; see ``lstm_course.exercises.runner``): only plain data
comes back, and the reference and every comparison are computed here.

Every checker takes the learner's function (or answer) and an optional
``report`` callable (``print`` by default) that receives the explanation.
"""

from .bptt import check_rnn_bptt, check_shared_weight_gradient
from .choices import check_answer
from .conditioned import (check_conditioned_answer, check_initial_state, check_mu_law_decode,
                          check_mu_law_encode)
from .fast import check_fused_lstm_step, check_lstm_flops
from .generative import check_sample_with_temperature, check_tbptt_step
from .lstm import check_forget_faster, check_lstm_step, check_lstm_step_backward
from .readout import check_numerical_gradient, check_readout_backward
from .rnn import check_rnn_step, check_rnn_step_backward
from .ngram_baseline import check_bigram_bpc
from .sampling_loop import check_sampling_loop
from .qa import check_supporting_fact
from .seq2seq import check_attention_step, check_beam_step, check_exposure_answer
from .shapes import SHAPE_QUESTION, check_rnn_shapes
from .stacked import check_reverse_direction, check_stacked_forward
from .tasks import check_task_shapes

__all__ = ["check_rnn_step", "check_rnn_step_backward", "check_rnn_shapes", "SHAPE_QUESTION", "check_task_shapes",
           "check_stacked_forward", "check_reverse_direction",
           "check_lstm_step", "check_lstm_step_backward", "check_forget_faster", "check_answer",
           "check_sample_with_temperature", "check_tbptt_step", "check_sampling_loop", "check_bigram_bpc",
           "check_initial_state", "check_mu_law_encode", "check_mu_law_decode", "check_conditioned_answer",
           "check_rnn_bptt", "check_shared_weight_gradient", "check_readout_backward", "check_numerical_gradient",
           "check_attention_step", "check_beam_step", "check_exposure_answer", "check_supporting_fact", "check_fused_lstm_step",
           "check_lstm_flops"]

from .variants import check_gru_step, check_worst_ablation  # noqa: E402

__all__ += ["check_gru_step", "check_worst_ablation"]

from .beam_step import check_beam_search_step, check_error_attribution, check_length_penalty  # noqa: E402
from .bleu_counts import check_clipped_counts  # noqa: E402

__all__ += ["check_beam_search_step", "check_length_penalty", "check_clipped_counts", "check_error_attribution"]

from .gru_backward import check_gru_step_backward  # noqa: E402
from .peephole import check_peephole_dc  # noqa: E402
from .cifg import check_cifg_step  # noqa: E402

__all__ += ["check_gru_step_backward", "check_peephole_dc", "check_cifg_step"]

from .audio import check_frame_update, check_half_life, check_karplus_strong  # noqa: E402
from .captioning import check_caption_loss, check_caption_sample, check_clipped_precision  # noqa: E402

__all__ += ["check_caption_loss", "check_caption_sample", "check_clipped_precision", "check_karplus_strong", "check_frame_update",
            "check_half_life"]

from .attention_backward import check_attention_backward  # noqa: E402
from .masked_loss import check_masked_cross_entropy  # noqa: E402
from .sentence_keys import check_sentence_keys  # noqa: E402
from .two_hop import check_two_hop  # noqa: E402

__all__ += ["check_attention_backward", "check_masked_cross_entropy", "check_two_hop", "check_sentence_keys"]

from .fast_grads import check_batched_weight_grads, check_gru_flops  # noqa: E402
from .long_lag import check_adding_success, check_no_forget_cell  # noqa: E402

__all__ += ["check_adding_success", "check_no_forget_cell", "check_batched_weight_grads", "check_gru_flops"]

from .tbptt_loop import check_tbptt_loop  # noqa: E402

__all__ += ["check_tbptt_loop"]

#: The checkers that need PyTorch, whose exercises are written in Torch. Without it each says so in one
#: line and returns False; the book gives their cells no Run button, since the browser has no torch.
NEEDS_TORCH = frozenset({"check_tbptt_step", "check_tbptt_loop"})

__all__ += ["NEEDS_TORCH"]

# Keep the promise for every checker listed above, including ones added later: whatever escapes a
# checker is explained and becomes False (KeyboardInterrupt still goes through).
from ._harness import protect_checkers  # noqa: E402

protect_checkers(globals(), __all__)

# Remember NumPy's and the course's functions as they are now: a checker refuses to run if one is replaced later.
import sys as _sys  # noqa: E402

import numpy as _np  # noqa: E402

from ._guard import snapshot as _snapshot  # noqa: E402

_snapshot([_np, _np.linalg, *(module for name, module in sorted(_sys.modules.items())
                              if name.split(".")[0] == "lstm_course" and module is not None)])
