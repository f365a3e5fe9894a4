# shufflenet-v1 trained on CIFAR-100 alone: the teacher checkpoints of the
# distillation configs, and the students' baselines.
_base_ = [
    '../../_base_/models/cifar/shufflenet-v1.py',
    '../../_base_/datasets/cifar100_bs64.py',
    '../../_base_/schedules/cifar100_sgd_240e.py',
    '../../_base_/default_runtime.py',
]

# ShuffleNet/MobileNet students: LR 0.01 (docs/losses.md §4)
optim_wrapper = dict(optimizer=dict(lr=0.01))
