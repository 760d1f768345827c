# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# Sphinx configuration of the guides. meson passes the version
# (-D version=... -D release=...); by hand: sphinx-build doc/guides OUTDIR

project = 'dpdk-dma-xd'
copyright = '2026, The dpdk-dma-xd authors'
author = 'The dpdk-dma-xd authors'

master_doc = 'index'
source_suffix = '.rst'
exclude_patterns = ['_build']
highlight_language = 'none'
pygments_style = 'sphinx'
html_show_sourcelink = False
