"""The vocabulary of the notes: token <-> id, with `<unk>` for words outside it.

The notes' recipe for turning a training set into model inputs: tokenize, build a vocabulary
from the most frequent tokens, map every token outside it to `<unk>`, and add `<eos>` at the end
of each sentence. `Vocabulary` is that mapping. Its four special tokens sit at fixed ids so every
model, loss and checkpoint agrees on them::

    id:     0       1       2       3       4      5    ...
    token:  <pad>   <unk>   <bos>   <eos>   the    ,    ...   (real tokens, most frequent first)

A vocabulary is built from an iterable of token lists (`Vocabulary.build`), or given explicitly
(`Vocabulary(tokens)`), and saved as JSON (`save` / `load`)::

    {"format": "seqlab.vocabulary", "version": 1, "specials": true,
     "tokens": ["<pad>", "<unk>", "<bos>", "<eos>", "the", ...], "counts": {"the": 1042, ...}}

Character and word tokenizers (`seqlab.text.tokenize`) share this one class.
"""

from __future__ import annotations

import json
import operator
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

from seqlab._atomic import atomic_write_text

__all__ = ["Vocabulary"]


class Vocabulary:
    """A fixed token <-> id mapping with `<pad>` = 0, `<unk>` = 1, `<bos>` = 2, `<eos>` = 3.

    The object is immutable: build a new one to change it.

    Args:
        tokens: The real tokens (no specials), in id order: the first gets id 4 (or 0 when
            ``specials=False``). Duplicates, or a special token among them, raise.
        counts: Optional token frequencies (for example from the training corpus), kept for
            later use such as word2vec subsampling. Keys must be tokens of ``tokens``.
        specials: Put the four special tokens at ids 0..3. Without them (e.g. a vocabulary of
            tag labels) there is no `<unk>`: an unknown token raises instead of mapping to it.

    Raises:
        ValueError: If a token is not a str, is repeated or is a special token, if a count is
            not a non-negative int or names a token outside ``tokens``, or if the vocabulary
            would be empty.

    Example:
        >>> vocab = Vocabulary.build([["the", "cat"], ["the", "dog"]])
        >>> vocab.encode(["the", "cow"], add_eos=True)
        [4, 1, 3]
    """

    PAD: ClassVar[str] = "<pad>"
    UNK: ClassVar[str] = "<unk>"
    BOS: ClassVar[str] = "<bos>"
    EOS: ClassVar[str] = "<eos>"
    SPECIALS: ClassVar[tuple[str, ...]] = (PAD, UNK, BOS, EOS)
    FORMAT: ClassVar[str] = "seqlab.vocabulary"
    VERSION: ClassVar[int] = 1

    def __init__(
        self,
        tokens: Iterable[str],
        *,
        counts: Mapping[str, int] | None = None,
        specials: bool = True,
    ) -> None:
        tokens = _check_token_list(tokens, "tokens")
        self._specials = bool(specials)
        self._itos: tuple[str, ...] = (self.SPECIALS if self._specials else ()) + tuple(tokens)
        self._stoi: dict[str, int] = {}
        for i, token in enumerate(self._itos):
            if token in self._stoi:
                what = "a special token" if token in self.SPECIALS and specials else "repeated"
                raise ValueError(f"token {token!r} at id {i} is {what}; tokens must be unique")
            self._stoi[token] = i
        if len(tokens) == 0:
            raise ValueError("a vocabulary needs at least one real token, got none")
        self._counts = MappingProxyType(self._check_counts(counts))

    def _check_counts(self, counts: Mapping[str, int] | None) -> dict[str, int]:
        if counts is None:
            return {}
        if not isinstance(counts, Mapping):
            raise ValueError(f"counts must be a mapping token -> int, got {type(counts).__name__}")
        checked: dict[str, int] = {}
        for token, count in counts.items():
            if token not in self._stoi or (self._specials and token in self.SPECIALS):
                raise ValueError(f"counts has token {token!r}, which is not a real token")
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"count of {token!r} must be a non-negative int, got {count!r}")
            checked[token] = count
        return checked

    @classmethod
    def build(
        cls,
        token_lists: Iterable[Sequence[str]],
        *,
        min_count: int = 1,
        max_size: int | None = None,
        specials: bool = True,
    ) -> Vocabulary:
        """Build a vocabulary from a corpus: the tokens seen at least ``min_count`` times.

        Tokens are ordered by descending count, ties broken by first appearance, so the same
        corpus always gives the same ids. Corpus tokens spelled like a special token (Penn
        Treebank writes `<unk>` in its text) map to that special and are not counted.

        Args:
            token_lists: The corpus, one list of tokens per sentence or line, read once
                (a generator is fine).
            min_count: Keep tokens seen at least this many times (>= 1).
            max_size: Keep at most this many real tokens, the most frequent ones. The four
                special tokens do not count towards it, so ``len(vocab) == max_size + 4``
                when enough tokens survive. None keeps all.
            specials: Put `<pad>`, `<unk>`, `<bos>`, `<eos>` at ids 0..3 (see the class).

        Returns:
            The vocabulary, with ``counts`` holding the frequencies of the kept tokens.

        Raises:
            ValueError: If ``min_count`` < 1, ``max_size`` < 1, an element of the corpus is a
                str instead of a list of tokens, a token is not a str, or no token survives.
        """
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be an int >= 1, got {min_count!r}")
        if max_size is not None and (
            isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1
        ):
            raise ValueError(f"max_size must be None or an int >= 1, got {max_size!r}")
        counter: Counter[str] = Counter()
        n_lists = 0
        for i, token_list in enumerate(token_lists):
            counter.update(_check_token_list(token_list, f"token_lists[{i}]"))
            n_lists += 1
        if specials:
            for special in cls.SPECIALS:
                counter.pop(special, None)
        # sorted() is stable and Counter keeps first-appearance order: ties stay in corpus order.
        kept = [(tok, n) for tok, n in counter.items() if n >= min_count]
        kept.sort(key=lambda item: -item[1])
        kept = kept[:max_size]
        if not kept:
            raise ValueError(
                f"no token survives: the corpus has {n_lists} token lists and "
                f"{len(counter)} distinct tokens, none seen >= min_count={min_count} times"
            )
        return cls([tok for tok, _ in kept], counts=dict(kept), specials=specials)

    # --- the mapping ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._itos)

    def __contains__(self, token: object) -> bool:
        return isinstance(token, str) and token in self._stoi

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return (self._itos, self._specials, dict(self._counts)) == (
            other._itos,
            other._specials,
            dict(other._counts),
        )

    __hash__ = None  # type: ignore[assignment]  # equal vocabularies, mutable-looking API

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self._itos[:8])
        more = ", ..." if len(self) > 8 else ""
        return f"Vocabulary(size={len(self)}, specials={self._specials}, tokens=[{head}{more}])"

    @property
    def tokens(self) -> tuple[str, ...]:
        """Every token in id order, specials included: ``tokens[i]`` has id ``i``."""
        return self._itos

    @property
    def counts(self) -> Mapping[str, int]:
        """Read-only token frequencies seen at build time (real tokens only; empty if none)."""
        return self._counts

    @property
    def has_specials(self) -> bool:
        """Whether `<pad>`, `<unk>`, `<bos>`, `<eos>` sit at ids 0..3."""
        return self._specials

    def _special_id(self, token: str) -> int:
        if not self._specials:
            raise ValueError(f"this vocabulary was built with specials=False: it has no {token}")
        return self._stoi[token]

    @property
    def pad_id(self) -> int:
        """Id of `<pad>` (0). Raises ValueError without specials."""
        return self._special_id(self.PAD)

    @property
    def unk_id(self) -> int:
        """Id of `<unk>` (1). Raises ValueError without specials."""
        return self._special_id(self.UNK)

    @property
    def bos_id(self) -> int:
        """Id of `<bos>` (2). Raises ValueError without specials."""
        return self._special_id(self.BOS)

    @property
    def eos_id(self) -> int:
        """Id of `<eos>` (3). Raises ValueError without specials."""
        return self._special_id(self.EOS)

    def token_to_id(self, token: str) -> int:
        """Id of ``token``; `<unk>`'s id if the token is outside the vocabulary.

        Raises:
            ValueError: If ``token`` is not a str, or it is unknown and there are no specials.
        """
        if not isinstance(token, str):
            raise ValueError(f"token must be a str, got {type(token).__name__}: {token!r}")
        i = self._stoi.get(token)
        if i is None:
            if not self._specials:
                raise ValueError(f"token {token!r} is not in this vocabulary (no <unk>)")
            return self._stoi[self.UNK]
        return i

    def id_to_token(self, i: int) -> str:
        """Token with id ``i``.

        Raises:
            ValueError: If ``i`` is not an integer or not in ``[0, len(self))``.
        """
        try:
            index = operator.index(i)
        except TypeError:
            raise ValueError(f"id must be an integer, got {type(i).__name__}: {i!r}") from None
        if not 0 <= index < len(self._itos):
            raise ValueError(f"id {index} is out of range for a vocabulary of size {len(self)}")
        return self._itos[index]

    def encode(
        self, tokens: Sequence[str], *, add_bos: bool = False, add_eos: bool = False
    ) -> list[int]:
        """Map tokens to ids, unknown ones to `<unk>`, optionally framed by `<bos>` / `<eos>`.

        Args:
            tokens: A list of tokens (not a str: tokenize it first).
            add_bos: Prepend `<bos>`'s id.
            add_eos: Append `<eos>`'s id, as the notes do at the end of each sentence.

        Returns:
            ``len(tokens) + add_bos + add_eos`` ids.

        Raises:
            ValueError: If ``tokens`` is a str or holds a non-str, or the vocabulary has no
                specials and a token is unknown or `<bos>` / `<eos>` is asked for.
        """
        tokens = _check_token_list(tokens, "tokens")
        ids = [self.token_to_id(token) for token in tokens]
        if add_bos:
            ids.insert(0, self.bos_id)
        if add_eos:
            ids.append(self.eos_id)
        return ids

    def decode(self, ids: Iterable[int], *, strip_specials: bool = True) -> list[str]:
        """Map ids back to tokens.

        Decoding does not stop at `<eos>`: every id is mapped (cut the sequence first if you
        need to). `<unk>` is always kept, since it stands for a real (unknown) word.

        Args:
            ids: Integer ids: a list, or a 1-D integer tensor / array.
            strip_specials: Drop `<pad>`, `<bos>` and `<eos>`.

        Returns:
            The tokens, one per id kept.

        Raises:
            ValueError: If an id is not an integer or is out of range.
        """
        dropped = {self.PAD, self.BOS, self.EOS} if strip_specials and self._specials else set()
        tokens = [self.id_to_token(i) for i in ids]
        return [token for token in tokens if token not in dropped]

    def count_unknown(self, tokens: Sequence[str]) -> int:
        """How many of ``tokens`` map to `<unk>` (corpus tokens spelled `<unk>` included).

        Without specials, how many are not in the vocabulary.

        Raises:
            ValueError: If ``tokens`` is a str or holds a non-str.
        """
        tokens = _check_token_list(tokens, "tokens")
        if not self._specials:
            return sum(token not in self._stoi for token in tokens)
        unk_id = self.unk_id
        return sum(self._stoi.get(token, unk_id) == unk_id for token in tokens)

    # --- JSON ----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form that `save` writes."""
        return {
            "format": self.FORMAT,
            "version": self.VERSION,
            "specials": self._specials,
            "tokens": list(self._itos),
            "counts": dict(self._counts),
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the vocabulary as UTF-8 JSON, atomically.

        The JSON goes to a temporary file in the same folder, then ``os.replace`` moves it over
        ``path``, so a crash never leaves a half-written vocabulary behind.

        Args:
            path: The file to write; its folder must exist.
        """
        atomic_write_text(path, json.dumps(self.to_dict(), ensure_ascii=False))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Vocabulary:
        """Rebuild a vocabulary from `to_dict`'s output.

        Raises:
            ValueError: If the format, version, specials, tokens or counts are wrong.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        if data.get("format") != cls.FORMAT:
            raise ValueError(f"format is {data.get('format')!r}, expected {cls.FORMAT!r}")
        if data.get("version") != cls.VERSION:
            raise ValueError(f"version {data.get('version')!r} is not supported ({cls.VERSION})")
        specials = data.get("specials", True)
        if not isinstance(specials, bool):
            raise ValueError(f"'specials' must be true or false, got {specials!r}")
        tokens = data.get("tokens")
        if not isinstance(tokens, list):
            raise ValueError(f"'tokens' must be a list, got {type(tokens).__name__}")
        if specials:
            n = len(cls.SPECIALS)
            if tuple(tokens[:n]) != cls.SPECIALS:
                raise ValueError(
                    f"the special tokens must be {list(cls.SPECIALS)} at ids 0..{n - 1}, "
                    f"got {tokens[:n]}"
                )
            tokens = tokens[n:]
        counts = data.get("counts", {})
        return cls(tokens, counts=counts, specials=specials)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocabulary:
        """Read a vocabulary written by `save`.

        Raises:
            ValueError: Naming the file, if it is missing, is not valid JSON, has the wrong
                format or version, or its special tokens are not at their fixed ids.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ValueError(f"vocabulary file {str(path)!r} does not exist") from None
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"cannot read vocabulary file {str(path)!r}: {e}") from None
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as e:  # RecursionError: absurdly nested JSON
            raise ValueError(f"vocabulary file {str(path)!r} is not valid JSON: {e}") from None
        try:
            return cls.from_dict(data)
        except ValueError as e:
            raise ValueError(f"vocabulary file {str(path)!r}: {e}") from None


def _check_token_list(tokens: Iterable[str], name: str) -> list[str]:
    """``tokens`` as a list, after checking it is a collection of str and not a str itself."""
    if isinstance(tokens, str):
        raise ValueError(
            f"{name} is a str ({tokens[:20]!r}); pass a list of tokens, e.g. "
            "word_tokenize(text) or char_tokenize(text)"
        )
    try:
        tokens = list(tokens)
    except TypeError:
        raise ValueError(f"{name} must be a list of str, got {type(tokens).__name__}") from None
    for j, token in enumerate(tokens):
        if not isinstance(token, str):
            raise ValueError(f"{name}[{j}] must be a str, got {type(token).__name__}: {token!r}")
    return tokens
