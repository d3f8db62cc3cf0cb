"""The version, in a module of its own: modules inside the package read it without importing the package's API."""

__version__ = "0.1.0"
