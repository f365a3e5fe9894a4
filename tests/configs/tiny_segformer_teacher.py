# The tiny SegFormer, twice as wide: the teacher of tiny_segformer_gdkd3.py.
_base_ = ['./tiny_segformer.py']
model = {{_base_.tiny_mit_teacher}}
