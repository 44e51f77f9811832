"""Frozen entry point of both programs in the bundle: `FamilyDoc.exe` (windowed) starts the
desktop app; with arguments it behaves like the `familydoc` command. `familydoc-cli.exe` is the
same entry point built as a console program, for IT commands (`familydoc-cli init`,
`familydoc-cli login ...`) whose output a console shows."""
import sys

from familydoc_desktop.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
