"""plotly, imported only when a figure is drawn, so that `import hpo` works without it."""

_MISSING = (
    "hpo.visualization draws its figures with plotly, which is not installed. On Debian: "
    "apt-get install python3-plotly"
)


def is_available():
    """True if plotly can be imported (hpo.visualization can draw)."""
    try:
        import plotly.graph_objects  # noqa: F401
    except ImportError:
        return False
    return True


def go():
    """plotly.graph_objects; raises ImportError naming the Debian package when plotly is absent."""
    try:
        import plotly.graph_objects
    except ImportError as e:
        raise ImportError(_MISSING) from e
    return plotly.graph_objects


def make_subplots(**kwargs):
    go()  # the same clear error when plotly is absent
    from plotly.subplots import make_subplots as _make_subplots

    return _make_subplots(**kwargs)


def color_scale():
    """Optuna's sequential colour scale (plotly's Blues)."""
    go()
    import plotly.colors

    return plotly.colors.sequential.Blues
