"""Self-study exercises: checkers that return True or False, explain what is wrong, and never raise.

Learner code runs with a time limit (``_guard.TIME_LIMIT``, 10 s per call).

Every checker takes the learner's function (or answer) and an optional
``report`` callable (``print`` by default) that receives the explanation.
"""

from .choices import check_answer
from .fast import check_fused_lstm_step
from .generative import check_sample_with_temperature, check_tbptt_step
from .lstm import check_forget_faster, check_lstm_step, check_lstm_step_backward
from .rnn import check_rnn_step, check_rnn_step_backward
from .shapes import SHAPE_QUESTION, check_rnn_shapes
from .stacked import check_reverse_direction, check_stacked_forward
from .tasks import check_task_shapes

__all__ = ["check_rnn_step", "check_rnn_step_backward", "check_rnn_shapes", "SHAPE_QUESTION", "check_task_shapes",
           "check_stacked_forward", "check_reverse_direction",
           "check_lstm_step", "check_lstm_step_backward", "check_forget_faster", "check_answer",
           "check_sample_with_temperature", "check_tbptt_step", "check_fused_lstm_step"]

# Keep the promise for every checker listed above, including ones added later: whatever escapes a
# checker is explained and becomes False (KeyboardInterrupt still goes through).
from ._harness import protect_checkers  # noqa: E402

protect_checkers(globals(), __all__)
