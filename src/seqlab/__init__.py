"""seqlab: the models of the Sequence Models notes as a tested PyTorch library and CLI."""

__version__ = "0.1.0"
