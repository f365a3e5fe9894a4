"""MMSeg decode heads that match CIRKD's (the Cityscapes protocol of
configs/cirkd_protocol)."""
from .cirkd_aspp_head import CIRKDASPPHead
from .cirkd_dropout_heads import CIRKDFCNHead, CIRKDPSPHead

__all__ = ['CIRKDASPPHead', 'CIRKDFCNHead', 'CIRKDPSPHead']
