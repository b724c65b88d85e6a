"""seqlab.text: from raw text to padded batches of ids.

The notes' recipe for a training set: tokenize (`word_tokenize`, `char_tokenize`), build a
vocabulary (`Vocabulary.build`), map words outside it to `<unk>` and add `<eos>` at the end of
each sentence (`Vocabulary.encode(..., add_eos=True)`), then pad sentences into batches
(`pad_sequences`, `BucketBatchSampler`).
"""

from seqlab._lazy import lazy_exports

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

# Each name and the submodule that defines it, imported on first use (seqlab._lazy), so that
# importing one light submodule (seqlab.text.config, say) does not import them all.
_EXPORTS = {
    "BucketBatchSampler": "batching",
    "collate_padded": "batching",
    "pad_sequences": "batching",
    "Span": "tags",
    "check_tags": "tags",
    "convert_tags": "tags",
    "get_entities": "tags",
    "repair_tags": "tags",
    "CharTokenizer": "tokenize",
    "Tokenizer": "tokenize",
    "WordTokenizer": "tokenize",
    "char_tokenize": "tokenize",
    "detokenize_chars": "tokenize",
    "detokenize_words": "tokenize",
    "tokenizer_from_config": "tokenize",
    "word_tokenize": "tokenize",
    "Vocabulary": "vocab",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
