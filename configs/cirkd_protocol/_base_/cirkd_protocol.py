# CIRKD's Cityscapes protocol: data, schedule and runtime of the baselines,
# the teacher and CIRKD's KD runs (winycg/CIRKD 91735ef; Af-DCD and MasKD
# train the same way). Models come from ./models, distillation from
# ./distillers.
_base_ = [
    './datasets/cityscapes_cirkd.py',
    './schedules/cirkd_40k.py',
    '../../_base_/default_runtime.py',
]
# MMSeg's default runtime (mmseg::_base_/default_runtime.py), restated:
# every mmseg:: base costs a scan of MMSeg's model index at each parse
default_scope = 'mmseg'
env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='SegLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
