"""Render a seed with ``yingshang-ie render`` and screenshot the page in headless Chromium.

    python benchmarks/render_screenshot.py [--seed seeds/004_cdd3b85343783a12.txt]
        [--mode rules] [--out runs/render] [--size 1280,2000]

Writes ``OUT/<seed>.html`` and ``OUT/<seed>.png`` and prints both paths and the
seconds each step took.  Needs ``chromium`` on PATH (Debian: ``apt-get install -y
chromium``); Chinese glyphs need a CJK font (``apt-get install -y fonts-noto-cjk``),
without which they show as boxes ("tofu").  Chromium runs with a fresh profile folder
and with networking, updates and sync off.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def screenshot(page: Path, png: Path, size: str = "1280,2000", timeout: float = 120) -> None:
    """Screenshot ``page`` (a local HTML file) into ``png`` with headless Chromium."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        raise SystemExit("no chromium on PATH; install it with: apt-get install -y chromium fonts-noto-cjk")
    with tempfile.TemporaryDirectory(prefix="yingshang-chromium-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={png}",
               f"--window-size={size}", page.resolve().as_uri()]
        subprocess.run(cmd, check=True, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not png.is_file():
        raise SystemExit(f"chromium ran but wrote no {png}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=Path, default=ROOT / "seeds" / "004_cdd3b85343783a12.txt")
    p.add_argument("--mode", default="rules")
    p.add_argument("--out", type=Path, default=ROOT / "runs" / "render")
    p.add_argument("--size", default="1280,2000", help="window width,height in pixels")
    args = p.parse_args(argv)

    from yingshang_ie.cli import main as cli

    args.out.mkdir(parents=True, exist_ok=True)
    page = args.out / f"{args.seed.stem}.html"
    png = args.out / f"{args.seed.stem}.png"
    t0 = time.perf_counter()
    status = cli(["render", str(args.seed), "-o", str(page), "--mode", args.mode])
    if status:
        return status
    t1 = time.perf_counter()
    screenshot(page, png, args.size)
    t2 = time.perf_counter()
    print(f"{page}  (render {t1 - t0:.2f} s)\n{png}  (screenshot {t2 - t1:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
