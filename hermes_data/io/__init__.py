"""Reading user files and writing outputs safely."""
