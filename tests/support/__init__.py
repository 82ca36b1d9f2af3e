"""What several test modules share: plain helpers, imported as `tests.support.<module>`.

A test module never imports another test module (`tests/project/test_test_imports.py`
checks it): what two of them need lives here, or in a fixture in a `conftest.py`.
"""
