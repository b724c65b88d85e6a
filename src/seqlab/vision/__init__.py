"""seqlab.vision: image captioning and activity recognition, the notes' image and video tasks.

- Captioning ("input: image, output: caption of image"): :class:`Captioner`, Show and Tell
  (the image vector starts the decoder) or Show, Attend and Tell (additive attention over the
  CNN's grid at every word); trained with :func:`train_captioner`, decoded with the seq2seq
  greedy and beam searches (:func:`caption_images`), scored with BLEU and exact match
  (:func:`evaluate_captions`), attention grounding checked on scenes (:func:`grounding`).
- Activity recognition (many-to-one): :class:`ActivityRecognizer`, a per-frame CNN or the raw
  sensor channels, a seqlab RNN/GRU/LSTM and one label; :func:`train_activity`,
  :func:`evaluate_activity`.
- Data: image readers (IDX, PNG, sprite sheets), Fashion-MNIST, the seeded Fashion scene and
  Fashion clip generators, Noto emoji with their Unicode names, ``.ts`` motion series.

Names load on first use (seqlab._lazy), so ``seqlab.vision.config`` (the command line's flags)
imports no torch.
"""

from seqlab._lazy import lazy_exports

__all__ = [
    "ACTIVITIES",
    "ActivityConfig",
    "ActivityDataConfig",
    "ActivityPrediction",
    "ActivityRecognizer",
    "CNNEncoder",
    "CaptionBatches",
    "CaptionDataConfig",
    "CaptionSet",
    "Captioner",
    "CaptionerConfig",
    "ClipConfig",
    "FASHION_CLASSES",
    "SceneConfig",
    "SequenceBatches",
    "SequenceSet",
    "caption_images",
    "crop_sprite",
    "emoji_captions",
    "evaluate_activity",
    "evaluate_captions",
    "grounding",
    "held_out_pairs",
    "make_clips",
    "make_scenes",
    "parse_caption",
    "read_captions_folder",
    "read_clips_folder",
    "read_fashion_mnist",
    "read_idx",
    "read_image",
    "read_images",
    "read_series",
    "scene_caption",
    "train_activity",
    "train_captioner",
    "write_captions_folder",
    "write_clips_folder",
    "write_png",
]

# Each name and the submodule that defines it, imported on first use (seqlab._lazy), so that
# importing one light submodule (seqlab.vision.config, say) does not import them all.
_EXPORTS = {
    "ACTIVITIES": "config",
    "ActivityConfig": "config",
    "ActivityDataConfig": "config",
    "CaptionDataConfig": "config",
    "CaptionerConfig": "config",
    "ClipConfig": "config",
    "SceneConfig": "config",
    "ActivityPrediction": "activity",
    "ActivityRecognizer": "activity",
    "CNNEncoder": "encoder",
    "Captioner": "captioner",
    "CaptionBatches": "captions",
    "CaptionSet": "captions",
    "read_captions_folder": "captions",
    "write_captions_folder": "captions",
    "caption_images": "caption",
    "evaluate_captions": "caption",
    "grounding": "caption",
    "evaluate_activity": "activity",
    "emoji_captions": "emoji",
    "FASHION_CLASSES": "fashion",
    "read_fashion_mnist": "fashion",
    "crop_sprite": "images",
    "read_idx": "images",
    "read_image": "images",
    "read_images": "images",
    "write_png": "images",
    "make_clips": "clips",
    "held_out_pairs": "scenes",
    "make_scenes": "scenes",
    "parse_caption": "scenes",
    "scene_caption": "scenes",
    "SequenceBatches": "sequences",
    "SequenceSet": "sequences",
    "read_clips_folder": "sequences",
    "read_series": "sequences",
    "write_clips_folder": "sequences",
    "train_activity": "train",
    "train_captioner": "train",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
