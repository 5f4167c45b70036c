"""Risk engine: profiles, indicators, model signal, assessment, selection within capacity, back-testing."""
