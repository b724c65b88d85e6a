"""seqlab.text: from raw text to padded batches of ids.

The notes' recipe for a training set: tokenize (`word_tokenize`, `char_tokenize`), build a
vocabulary (`Vocabulary.build`), map words outside it to `<unk>` and add `<eos>` at the end of
each sentence (`Vocabulary.encode(..., add_eos=True)`), then pad sentences into batches
(`pad_sequences`, `BucketBatchSampler`).
"""

from seqlab.text.batching import BucketBatchSampler, collate_padded, lengths_to_mask, pad_sequences
from seqlab.text.tokenize import (
    CharTokenizer,
    Tokenizer,
    WordTokenizer,
    char_tokenize,
    detokenize_chars,
    detokenize_words,
    tokenizer_from_config,
    word_tokenize,
)
from seqlab.text.vocab import Vocabulary

__all__ = [
    "BucketBatchSampler",
    "CharTokenizer",
    "Tokenizer",
    "Vocabulary",
    "WordTokenizer",
    "char_tokenize",
    "collate_padded",
    "detokenize_chars",
    "detokenize_words",
    "lengths_to_mask",
    "pad_sequences",
    "tokenizer_from_config",
    "word_tokenize",
]
