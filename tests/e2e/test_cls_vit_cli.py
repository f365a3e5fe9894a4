"""A vision-transformer student through the real CLIs: the shipped
GDKD3+LS DeiT config (distillation token on, teacher fed resized inputs)
shrunk to a tiny DeiT on the tiny CIFAR-100, distilled from the session's
ResNet-56 teacher, evaluated by ``tools/test.py``, exported
(``extract_student``, what ``tools/extract_student.py`` runs), and loaded by
plain MMPretrain (``get_model``, ``ImageClassificationInferencer``)
without gdkd_seg."""
import os
import os.path as osp
import subprocess
import sys
import textwrap

import torch
from mmengine.config import Config

from gdkd_seg.apis import extract_student
from gdkd_seg.checkpoint.safe_load import (load_mmengine_checkpoint,
                                           mmengine_checkpoint_loading)
from tests.conftest import REPO
from tests.e2e.conftest import ENV
from tests.e2e.test_cls_cli import top1

CFG = osp.join('tests', 'configs', 'tiny_vit_gdkd3_ls.py')


def test_deit_gdkd3_ls_train_test_export_plain_mmpretrain(tiny_cifar,
                                                           tmp_path):
    t_ckpt = tiny_cifar.teacher('resnet56')
    work = tmp_path / 'student'
    # one epoch (3 steps) at a full LR, so that the weights move away from
    # their (zero-head) initialisation and the export checks bite
    out = tiny_cifar.cli('tools/train.py', CFG, '--work-dir', str(work),
                         '--cfg-options', 'train_cfg.max_epochs=1',
                         'optim_wrapper.optimizer.lr=0.01',
                         'param_scheduler.0.start_factor=1.0',
                         f'model.teacher_ckpt={t_ckpt}', *tiny_cifar.opts)
    log = out.stdout + out.stderr
    for key in ('loss_gdkd3', 'gdkd3_high', 'gdkd3_low_top',
                'gdkd3_low_other'):
        assert key in log, key
    assert 'cannot train the distilled version' not in log
    ckpt = work / 'epoch_1.pth'
    state = load_mmengine_checkpoint(str(ckpt))['state_dict']
    assert 'student.backbone.dist_token' in state
    assert 'student.head.layers.head_dist.weight' in state
    acc = top1(tiny_cifar.cli('tools/test.py', CFG, str(ckpt), '--work-dir',
                              str(tmp_path / 'test'), '--cfg-options',
                              *tiny_cifar.opts).stdout)
    assert 0 <= acc <= 100

    # the export as tools/extract_student.py does it (its CLI is run by
    # test_cls_cli.py; in-process saves a process start here)
    exported = tmp_path / 'deit_student.pth'
    assert extract_student(str(ckpt), str(exported)) > 0
    # the student's own config for plain MMPretrain: its model with the
    # data preprocessor the runner gave it, its test pipeline, no custom
    # imports
    cfg = Config.fromfile(str(REPO / CFG))
    plain = Config(dict(
        model=dict(cfg.model.student.to_dict(),
                   data_preprocessor=cfg.data_preprocessor.to_dict()),
        test_dataloader=dict(dataset=dict(
            type='CIFAR100',
            pipeline=cfg.test_dataloader.dataset.pipeline))))
    plain_cfg = tmp_path / 'deit_student_cfg.py'
    plain.dump(str(plain_cfg))
    # reference: the distiller loaded from the training checkpoint, its
    # logits (the mean of the two heads) and its prediction for an image
    from mmpretrain import ImageClassificationInferencer
    from mmpretrain.registry import MODELS
    # (the runner hands the top-level data_preprocessor to the model)
    distilled = MODELS.build(dict(
        cfg.model, teacher_ckpt=None,
        data_preprocessor=cfg.data_preprocessor)).eval()
    from mmengine.runner import load_checkpoint
    with mmengine_checkpoint_loading():
        load_checkpoint(distilled, str(ckpt), strict=True)
    x = torch.randn(3, 3, 48, 48)
    img = torch.randint(0, 256, (32, 32, 3), dtype=torch.uint8)
    distilled._config = plain  # what get_model attaches
    with torch.no_grad():
        logits = distilled(x, mode='tensor')
        scores = ImageClassificationInferencer(distilled)(img.numpy())[0]
    assert logits.std() > 1e-2  # not the zero-initialised heads
    torch.save(dict(x=x, logits=logits, img=img,
                    scores=torch.as_tensor(scores['pred_scores'])),
               str(tmp_path / 'ref.pth'))
    code = textwrap.dedent(f'''
        import sys
        import torch
        from mmengine.config import Config
        from mmpretrain import ImageClassificationInferencer, get_model
        cfg = Config.fromfile({str(plain_cfg)!r})
        model = get_model(cfg, pretrained={str(exported)!r})
        ref = torch.load({str(tmp_path / 'ref.pth')!r})
        with torch.no_grad():
            logits = model(ref['x'], mode='tensor')
        torch.testing.assert_close(logits, ref['logits'])
        # (inference_model needs a model-zoo name to pick its inferencer)
        result = ImageClassificationInferencer(model)(ref['img'].numpy())[0]
        torch.testing.assert_close(torch.as_tensor(result['pred_scores']),
                                   ref['scores'])
        assert 'gdkd_seg' not in sys.modules
        print('PLAIN_OK')
    ''')
    proc = subprocess.run([sys.executable, '-c', code], cwd=str(tmp_path),
                          env=dict(os.environ, **ENV), capture_output=True,
                          text=True, timeout=300)
    assert 'PLAIN_OK' in proc.stdout, proc.stderr[-3000:]
