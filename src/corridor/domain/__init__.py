"""Pure domain types and rules shared by every package; imports no web or database framework."""
