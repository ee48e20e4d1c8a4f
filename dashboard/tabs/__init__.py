"""The dashboard's tabs, one module each."""
