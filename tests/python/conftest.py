import hpo


def pytest_configure(config):
    # The per-trial INFO lines would only add noise to test output.
    hpo.logging.set_verbosity(hpo.logging.WARNING)
