"""Sphinx configuration of the gdkd_seg documentation (docs/en).

Sphinx + myst-parser, as MMSegmentation and MMPretrain build theirs: the
pages stay Markdown, Read the Docs builds them (``.readthedocs.yaml``),
and the API reference is generated from the docstrings by autodoc.
Nothing here needs the network (no intersphinx, a theme shipped as a
package), so ``sphinx-build -W`` runs offline in CI
(``tests/docs/test_docs_build.py``).
"""
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, ROOT)

scope = {}
with open(os.path.join(ROOT, 'gdkd_seg', 'version.py')) as f:
    exec(f.read(), scope)  # the version string only, without importing

project = 'gdkd_seg'
author = 'gdkd_seg contributors'
copyright = '2026, gdkd_seg contributors'
version = release = scope['__version__']

extensions = [
    'myst_parser',
    'sphinx.ext.autodoc',
    'sphinx.ext.napoleon',  # Google-style docstrings
    'sphinx.ext.viewcode',
]
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
root_doc = 'index'
exclude_patterns = ['_build', 'Thumbs.db', '.DS_Store']

# Markdown: `$...$` maths, ```{directive} fences, heading anchors for
# `page.md#section` links (MMSeg's docs use the same extensions).
myst_enable_extensions = ['colon_fence', 'dollarmath', 'amsmath']
myst_heading_anchors = 4

# autodoc imports the package (no weights, no data, no network); the
# classification extra needs MMPretrain, installed by requirements/cpu.txt.
autodoc_member_order = 'bysource'
autodoc_typehints = 'description'
autodoc_default_options = {'members': True, 'show-inheritance': True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = 'furo'  # shipped as a package: no CDN at build time
html_title = f'gdkd_seg {release}'
html_static_path = []


# ----------------------------------------------------------- model zoo
# configs/<folder>/README.md are the model zoo's pages (read on GitHub
# beside the configs); the site shows copies in model_zoo/ (generated,
# git-ignored), their links into docs/ rewritten to the site's pages, as
# MMSeg's docs collect its configs' READMEs.
_LINKS = [
    (r'\]\(\.\./\.\./docs/en/', '](../'),
    (r'\]\(\.\./\.\./docs/losses\.md', '](../advanced_guides/losses.md'),
]


def _model_zoo_pages() -> None:
    out = os.path.join(HERE, 'model_zoo')
    os.makedirs(out, exist_ok=True)
    for readme in sorted(glob.glob(os.path.join(ROOT, 'configs', '*',
                                                'README.md'))):
        folder = os.path.basename(os.path.dirname(readme))
        with open(readme, encoding='utf-8') as f:
            text = f.read()
        for pattern, repl in _LINKS:
            text = re.sub(pattern, repl, text)
        dst = os.path.join(out, f'{folder}.md')
        old = None
        if os.path.exists(dst):
            with open(dst, encoding='utf-8') as f:
                old = f.read()
        if old != text:  # unchanged pages are not rebuilt
            with open(dst, 'w', encoding='utf-8') as f:
                f.write(text)


_model_zoo_pages()
