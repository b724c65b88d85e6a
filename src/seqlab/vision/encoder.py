"""A small CNN image encoder, trained from scratch: a feature grid and an image vector.

``blocks`` blocks of conv 3x3 -> batch norm -> ReLU, each halving the image (the first with a
stride-2 convolution, the others with 2x2 max pooling after it), the channels doubling from
``width``; an image (C, S, S) becomes a feature map (D, S/2^blocks, S/2^blocks) with
D = width * 2^(blocks - 1). (The strided first block and channels-last tensors make the encoder
twice as fast on a CPU as pooling at full resolution, for the same grid.) Read two ways:

- the grid a: (B, L, D), L = (S / 2^blocks)^2 positions in row-major order, each a<l> describing
  one region of the image: what Show, Attend and Tell attends over (Xu et al. 2015, the notes'
  a<t'> with t' = a grid position). With ``positions=True`` a learned embedding p<l> of each
  position is added, a<l> = CNN(image)<l> + p<l>: convolutions are translation-equivariant, so
  without it the context c<t> = Σ_l alpha<t,l> a<l> says what the decoder looked at but not
  where, and a caption that names places ("in the upper left") could not be written;
- the vector v = tanh(BN(W_v flatten(a) + b_v)): (B, V) (BN: batch norm), one summary of the
  whole image that still knows where things are (W_v has a weight per position): what Show and
  Tell starts its decoder from (Vinyals et al. 2014), and one frame's features for the activity
  recogniser.

No pretrained weights exist offline, so the encoder learns with the rest of the model.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["CNNEncoder"]


class CNNEncoder(nn.Module):
    """Conv blocks, then the grid and (with ``vector_size``) the image vector.

    Args:
        in_channels: C, 1 (grey) or 3 (RGB).
        image_size: S, the side of the square input; divisible by 2^blocks.
        width: channels of the first block.
        blocks: how many blocks (each halves the side).
        vector_size: V, the image vector's size; 0 = no vector (grid only).
        positions: add a learned embedding of each grid position to the grid.

    Raises:
        ValueError: on sizes that are not positive or an image_size the blocks cannot halve.
    """

    def __init__(
        self,
        in_channels: int,
        image_size: int,
        width: int,
        blocks: int,
        vector_size: int = 0,
        *,
        positions: bool = False,
    ) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("image_size", image_size),
                            ("width", width), ("blocks", blocks)):  # fmt: skip
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        if image_size % (2**blocks):
            raise ValueError(f"image_size={image_size} is not divisible by 2^blocks={2**blocks}")
        layers: list[nn.Module] = []
        channels = in_channels
        for k in range(blocks):
            out = width * 2**k
            conv = nn.Conv2d(channels, out, 3, stride=2 if k == 0 else 1, padding=1, bias=False)
            layers += [conv, nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
            if k > 0:
                layers.append(nn.MaxPool2d(2))
            channels = out
        self.blocks = nn.Sequential(*layers)
        self.in_channels, self.image_size = in_channels, image_size
        self.side = image_size // 2**blocks  # the grid's side
        self.feature_size = channels  # D
        self.num_positions = self.side**2  # L
        self.vector_size = vector_size
        self.W_v = nn.Linear(self.num_positions * channels, vector_size) if vector_size else None
        # The grid is ReLU output (all >= 0), so W_v flatten(a) carries a large part shared by
        # every image; batch norm removes it, or tanh saturates and v stops depending on the image.
        self.norm_v = nn.BatchNorm1d(vector_size) if vector_size else None
        self.p = (
            nn.Parameter(0.1 * torch.randn(self.num_positions, channels)) if positions else None
        )

    def grid(self, images: Tensor) -> Tensor:
        """images (B, C, S, S) -> a (B, L, D), positions row-major."""
        if images.dim() != 4 or tuple(images.shape[1:]) != (
            self.in_channels, self.image_size, self.image_size
        ):  # fmt: skip
            raise ValueError(
                f"images must be (B, {self.in_channels}, {self.image_size}, {self.image_size}), "
                f"got shape {tuple(images.shape)}"
            )
        maps = self.blocks(images.contiguous(memory_format=torch.channels_last))  # (B, D, s, s)
        a = maps.flatten(2).transpose(1, 2)  # (B, L, D)
        return a if self.p is None else a + self.p  # (B, L, D)

    def vector(self, a: Tensor) -> Tensor:
        """v = tanh(BN(W_v flatten(a) + b_v)): a (B, L, D) -> (B, V)."""
        if self.W_v is None:
            raise ValueError("this encoder has no image vector (vector_size=0)")
        return torch.tanh(self.norm_v(self.W_v(a.flatten(1))))  # (B, V)

    def forward(self, images: Tensor) -> tuple[Tensor, Tensor | None]:
        """images (B, C, S, S) -> (a (B, L, D), v (B, V) or None)."""
        a = self.grid(images)  # (B, L, D)
        return a, (self.vector(a) if self.W_v is not None else None)

    def cell_of_position(self, grid: int) -> list[int]:
        """For a scene of ``grid x grid`` cells: the cell under each position's centre."""
        cells = []
        for l in range(self.num_positions):
            row, col = divmod(l, self.side)
            y, x = (row + 0.5) / self.side, (col + 0.5) / self.side  # centre, in [0, 1)
            cells.append(int(y * grid) * grid + int(x * grid))
        return cells
