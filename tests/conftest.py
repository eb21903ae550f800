import sys
from pathlib import Path

# tests import small helpers (deckparse) that sit beside them
sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]
