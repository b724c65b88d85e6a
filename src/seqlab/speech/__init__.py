"""seqlab.speech: speech recognition with CTC (decoders so far; audio, features and models next).

from seqlab.speech import collapse, greedy_decode, prefix_beam_search
collapse([1, 1, 0, 2, 0, 3, 3])           # [1, 2, 3]
prefix_beam_search(log_probs, beam_size=8)  # [Hypothesis(labels, log_prob, score), ...]
"""

from seqlab.speech.ctc import Hypothesis, collapse, greedy_decode, prefix_beam_search

__all__ = ["Hypothesis", "collapse", "greedy_decode", "prefix_beam_search"]
