# GDKD3 into the LS paper's CIFAR-100 ViT students: DERIVED (no upstream
# run): vit-gdkd's transformer setting (ZaberKo/vit-gdkd @ 3dcace4,
# config/gdkd3.yaml: CE 1, k 5, w0 = w1 = w2 = 1, T 1, no warm-up) on the
# LS paper's data, schedule and teacher (../datasets/
# cifar100_bs128_224px_vit.py, the ResNet-56 fed 32-pixel images).
distiller = dict(
    type='ClsDistiller',
    ce_weight=1.0,
    teacher_input_size=32,  # DISTILLATION.TEACHER_IMG_SIZE 32
    distill_losses=dict(type='GDKD3Loss', k=5, w0=1.0, w1=1.0, w2=1.0,
                        temperature=1.0))
