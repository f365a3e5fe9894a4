"""Count the lines a reader follows from a config to the GDKD maths.

Whole files: the config, gdkd_loss.py, losses/base.py. Methods only: the
distiller's training step that reaches the loss (SegDistiller.loss,
BaseDistiller.distill), spans from `def` to the method's last line,
docstrings and comments included."""
import ast


def span(path, qualname):
    tree = ast.parse(open(path).read())
    cls, name = qualname.split('.')
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for f in node.body:
                if isinstance(f, ast.FunctionDef) and f.name == name:
                    start = min([f.lineno] +
                                [d.lineno for d in f.decorator_list])
                    return start, f.end_lineno
    raise KeyError(qualname)


D = 'gdkd_seg/models/distillers/'
L = 'gdkd_seg/models/losses/'
rows = [('configs/gdkd/deeplabv3_r101_to_r18_cityscapes.py', None),
        (D + 'seg_distiller.py', 'SegDistiller.loss'),
        (D + 'base.py', 'BaseDistiller.distill'),
        (L + 'gdkd_loss.py', None),
        (L + 'base.py', None)]
total = 0
for path, qual in rows:
    if qual:
        a, b = span(path, qual)
        n, where = b - a + 1, f'{qual} (lines {a}-{b})'
    else:
        n, where = len(open(path).read().splitlines()), 'whole file'
    total += n
    print(f'{n:5d}  {path}: {where}')
print(f'{total:5d}  total over {len(rows)} files')
