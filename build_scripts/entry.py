"""Frozen entry point: `FamilyDoc.exe` starts the desktop app; with arguments it behaves like
the `familydoc` command (so IT staff can run `FamilyDoc-debug.exe init` etc.)."""
import sys

from familydoc_desktop.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
