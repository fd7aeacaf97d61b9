"""Make the demo lessons' audio: espeak-ng reads each lesson, sox packs it as small Ogg Vorbis.

Run from the project root: ``.venv/bin/python plugins/learning/demo_media/make_audio.py``.
The files are committed (machines without espeak-ng still get audio); run this only to change
the texts in ``plugins/learning/demo_content.py``. Each file stays under 200 KB.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from plugins.learning.demo_content import lesson_texts  # noqa: E402


def main() -> int:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing (apt-get install espeak-ng sox libsox-fmt-all)")
            return 1
    with tempfile.TemporaryDirectory() as scratch:
        for number, text in lesson_texts():
            wav = Path(scratch) / f"{number}.wav"
            target = HERE / f"lesson-{number}.ogg"
            subprocess.run(
                ["espeak-ng", "-v", "cmn", "-s", "150", "-w", str(wav), text], check=True
            )
            subprocess.run(
                ["sox", str(wav), "-r", "16000", "-c", "1", "-C", "-1", str(target)], check=True
            )
            print(f"{target.name}: {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
