"""Package list for setuptools (the rest of the metadata is in pyproject.toml).

resources/ stays where it is in the repository and is installed as the package
`familydoc_resources`, so the wheel carries rule sets, catalogue, translations, icons and
styles (familydoc_desktop/resources.py finds them)."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["familydoc_desktop*", "sync_server*"]) + ["familydoc_resources"],
    package_dir={"familydoc_resources": "resources"},
)
