"""The appliance's source (fixtures/apps/appliance) is importable as `appliance` here."""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[3] / "fixtures" / "apps" / "appliance"
if str(APP) not in sys.path:
    sys.path.insert(0, str(APP))
