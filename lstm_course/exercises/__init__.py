"""Self-study exercises: checkers that return True or False, explain what is wrong, and never raise.

Every checker takes the learner's function (or answer) and an optional
``report`` callable (``print`` by default) that receives the explanation.
"""

from .choices import check_answer
from .generative import check_sample_with_temperature, check_tbptt_step
from .lstm import check_forget_faster, check_lstm_step, check_lstm_step_backward
from .rnn import check_rnn_step, check_rnn_step_backward
from .qa import check_supporting_fact
from .seq2seq import check_attention_step, check_beam_step, check_exposure_answer
from .shapes import SHAPE_QUESTION, check_rnn_shapes
from .stacked import check_reverse_direction, check_stacked_forward
from .tasks import check_task_shapes

__all__ = ["check_rnn_step", "check_rnn_step_backward", "check_rnn_shapes", "SHAPE_QUESTION", "check_task_shapes",
           "check_stacked_forward", "check_reverse_direction",
           "check_lstm_step", "check_lstm_step_backward", "check_forget_faster", "check_answer",
           "check_sample_with_temperature", "check_tbptt_step",
           "check_attention_step", "check_beam_step", "check_exposure_answer", "check_supporting_fact"]
