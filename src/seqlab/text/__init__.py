"""seqlab.text: from raw text to padded batches of ids.

The notes' recipe for a training set: tokenize (`word_tokenize`, `char_tokenize`), build a
vocabulary (`Vocabulary.build`), map words outside it to `<unk>` and add `<eos>` at the end of
each sentence (`Vocabulary.encode(..., add_eos=True)`), then pad sentences into batches
(`pad_sequences`, `BucketBatchSampler`).
"""

from seqlab.text.batching import BucketBatchSampler, collate_padded, pad_sequences
from seqlab.text.tags import Span, check_tags, convert_tags, get_entities, repair_tags
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
    "Span",
    "Tokenizer",
    "Vocabulary",
    "WordTokenizer",
    "char_tokenize",
    "check_tags",
    "collate_padded",
    "convert_tags",
    "detokenize_chars",
    "detokenize_words",
    "get_entities",
    "pad_sequences",
    "repair_tags",
    "tokenizer_from_config",
    "word_tokenize",
]
