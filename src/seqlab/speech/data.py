"""Speech data for the CTC recogniser: utterance lists, the character alphabet, padded batches.

Two layouts are read:

- a folder of WAV files with ``transcripts.tsv`` (``file<TAB>text`` a line, paths relative to the
  folder), errors naming the line;
- the Free Spoken Digit Dataset (``{digit}_{speaker}_{index}.wav`` in ``recordings/``), whose
  official split puts indexes 0-4 in the test set; the transcript is the digit's English name.

Text becomes label ids over an alphabet whose id 0 is the CTC blank.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

__all__ = [
    "DIGIT_NAMES",
    "Alphabet",
    "Utterance",
    "collate",
    "read_fsdd",
    "read_transcripts",
]

DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_FSDD_NAME = re.compile(r"^(\d)_([A-Za-z]+)_(\d+)\.wav$")


@dataclass(frozen=True)
class Utterance:
    """One recording and what is said in it."""

    path: Path
    text: str
    speaker: str = ""


@dataclass(frozen=True)
class Alphabet:
    """Characters <-> label ids; id 0 is the blank, ids 1.. the characters in order."""

    chars: str

    def __post_init__(self) -> None:
        if not self.chars or len(set(self.chars)) != len(self.chars):
            raise ValueError(f"an alphabet needs distinct characters, got {self.chars!r}")

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> Alphabet:
        """Every character of ``texts``, sorted."""
        return cls("".join(sorted(set("".join(texts)))))

    def __len__(self) -> int:
        """Labels, the blank included."""
        return len(self.chars) + 1

    def encode(self, text: str) -> list[int]:
        """Label ids of ``text``; ValueError naming a character the alphabet lacks."""
        index = {ch: i + 1 for i, ch in enumerate(self.chars)}
        missing = sorted({ch for ch in text if ch not in index})
        if missing:
            raise ValueError(f"characters {missing} of {text!r} are not in the alphabet "
                             f"{self.chars!r}")  # fmt: skip
        return [index[ch] for ch in text]

    def decode(self, labels: Sequence[int]) -> str:
        """Text of label ids (blanks dropped)."""
        return "".join(self.chars[i - 1] for i in labels if i != 0)


def read_transcripts(folder: str | os.PathLike[str]) -> list[Utterance]:
    """``folder/transcripts.tsv``: ``file<TAB>text`` lines (blank lines and ``#`` lines skipped).

    Raises:
        ValueError: no transcripts file, a line without a tab or text, a missing WAV file (with
            the line number), or no utterances at all.
    """
    folder = Path(folder)
    table = folder / "transcripts.tsv"
    if not table.is_file():
        raise ValueError(f"{folder}: no transcripts.tsv (file<TAB>text lines)")
    out = []
    for number, line in enumerate(table.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, tab, text = line.partition("\t")
        if not tab or not text.strip():
            raise ValueError(f"{table}, line {number}: expected file<TAB>text, got {line!r}")
        path = folder / name.strip()
        if not path.is_file():
            raise ValueError(f"{table}, line {number}: no such file {path}")
        out.append(Utterance(path, " ".join(text.lower().split())))
    if not out:
        raise ValueError(f"{table}: no utterances")
    return out


def read_fsdd(folder: str | os.PathLike[str]) -> dict[str, list[Utterance]]:
    """The FSDD recordings under ``folder`` (or ``folder/recordings``), by the official split.

    Returns:
        ``{"train": [...], "test": [...]}``: test holds indexes 0-4 of every digit and speaker.

    Raises:
        ValueError: no such folder, or no ``{digit}_{speaker}_{index}.wav`` file in it.
    """
    folder = Path(folder)
    if (folder / "recordings").is_dir():
        folder = folder / "recordings"
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder (the FSDD folder holds recordings/)")
    split: dict[str, list[Utterance]] = {"train": [], "test": []}
    for path in sorted(folder.iterdir()):
        match = _FSDD_NAME.match(path.name)
        if match is None:
            continue
        digit, speaker, index = match.groups()
        part = "test" if int(index) <= 4 else "train"
        split[part].append(Utterance(path, DIGIT_NAMES[int(digit)], speaker))
    if not split["train"] and not split["test"]:
        raise ValueError(f"{folder}: no FSDD recordings ({{digit}}_{{speaker}}_{{index}}.wav)")
    return split


def collate(
    features: Sequence[np.ndarray | Tensor], labels: Sequence[Sequence[int]] | None = None
) -> dict[str, Tensor]:
    """Pad a batch for :class:`~seqlab.speech.model.CTCRecognizer`.

    Args:
        features: B arrays (T_i, F).
        labels: B label-id lists (no blanks), or None at inference.

    Returns:
        ``features`` (B, T, F) zero-padded, ``lengths`` (B,), and with labels ``targets``
        (B, L) padded with 0 and ``target_lengths`` (B,).
    """
    if not features:
        raise ValueError("an empty batch")
    rows = [torch.as_tensor(np.asarray(f), dtype=torch.float32) for f in features]
    F = rows[0].shape[1]
    if any(r.dim() != 2 or r.shape[1] != F for r in rows):
        raise ValueError("every feature array must be (T_i, F) with the same F")
    lengths = torch.tensor([r.shape[0] for r in rows])
    x = torch.zeros(len(rows), int(lengths.max()), F)
    for i, r in enumerate(rows):
        x[i, : r.shape[0]] = r
    batch = {"features": x, "lengths": lengths}
    if labels is not None:
        if len(labels) != len(rows):
            raise ValueError(f"{len(rows)} feature arrays but {len(labels)} label lists")
        target_lengths = torch.tensor([len(t) for t in labels])
        targets = torch.zeros(len(labels), max(int(target_lengths.max()), 1), dtype=torch.long)
        for i, t in enumerate(labels):
            targets[i, : len(t)] = torch.tensor(list(t), dtype=torch.long)
        batch.update(targets=targets, target_lengths=target_lengths)
    return batch
