"""What tests share that is not a fixture: factories, clients, builders. Fixtures live in conftest.py files."""
