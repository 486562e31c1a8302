"""cscbench: benchmark English local authorities' children's social care statistics.

Layers, each importing only those before it:

- :mod:`cscbench.datasets`: loaders, the indicator registry, comparator groups, the snapshot;
- :mod:`cscbench.analyses`: comparisons, ranks, intervals, trends, outlier flags;
- :mod:`cscbench.figures`: Altair charts;
- :mod:`cscbench.cli`: the ``cscbench`` command, a thin layer over the library.

Example:
    >>> from cscbench.datasets import load_indicators
    >>> load_indicators(["cin_rate"], years=[2025]).height > 150
    True
"""

__version__ = "0.1.0"
