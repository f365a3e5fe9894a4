from .gdkd_runner import GDKDRunner, prepare_config

__all__ = ['GDKDRunner', 'prepare_config']
