"""The offline demo (tools/demo.py): paired students, held-out test mIoU,
intervals, tables and plots."""
