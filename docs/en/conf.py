"""Sphinx configuration of the gdkd_seg documentation (docs/en).

Sphinx + myst-parser, as MMSegmentation and MMPretrain build theirs: the
pages stay Markdown, Read the Docs builds them (``.readthedocs.yaml``),
and the API reference is generated from the docstrings by autodoc.
Nothing here needs the network (no intersphinx, a theme shipped as a
package), so ``sphinx-build -W`` runs offline in CI
(``tests/docs/test_docs_build.py``).
"""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
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
