"""MMPretrain's classification preprocessor, for batches of several views."""
from typing import List, Sequence

import torch
from mmpretrain.models import ClsDataPreprocessor
from mmpretrain.registry import MODELS


def _is_multi_view(inputs) -> bool:
    # one view: a (N, 3, H, W) tensor or a list of N (3, H, W) images;
    # views: a list with, per view, either of those
    return isinstance(inputs, Sequence) and len(inputs) > 0 and (
        isinstance(inputs[0], Sequence) or
        (isinstance(inputs[0], torch.Tensor) and inputs[0].dim() == 4))


@MODELS.register_module()
class MultiViewClsDataPreprocessor(ClsDataPreprocessor):
    """:class:`ClsDataPreprocessor` that also takes ``MultiView`` batches.

    MMPretrain's ``MultiView`` transform gives every sample a list of
    views; collated, the batch's inputs are one list per view. Each view
    is normalised (and padded, channel-flipped) as
    :class:`ClsDataPreprocessor` does, and the model gets the list of
    ``(N, 3, H, W)`` views in the pipeline's order. Labels are set once.
    Single-view batches (validation, test) are processed exactly as
    :class:`ClsDataPreprocessor` does. Takes its arguments.

    Raises:
        ValueError: batch augments (mixup, cutmix) with several views:
            they would mix each view with other images and labels.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = data['inputs']
        if not _is_multi_view(inputs):
            return super().forward(data, training)
        if training and self.batch_augments is not None:
            raise ValueError(
                'batch augments (mixup/cutmix) cannot be applied to a '
                'multi-view batch: each view would be mixed differently')
        views: List[torch.Tensor] = []
        samples = data.get('data_samples')
        for i, view in enumerate(inputs):
            # labels are handled with the first view only
            out = super().forward(
                dict(inputs=view, data_samples=samples if i == 0 else None),
                training)
            views.append(out['inputs'])
            if i == 0:
                samples = out['data_samples']
        return dict(inputs=views, data_samples=samples)
