"""Watch-list and sanctions screening of parties and vessels across scripts and transliterations."""
