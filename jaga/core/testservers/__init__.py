"""Real servers on loopback for the tests of every app (OpenSSH, an S3-compatible store): started by a test,
stopped at its end. The fixtures that use them are in the root ``conftest.py``."""
