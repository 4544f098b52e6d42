"""PNG snapshots of rendered cards for docs/ and for looking at the output (not used by build_cards).

    python -m pipeline.cards.snapshots OUT_DIR MONTH DOCS_DIR AGENT [AGENT…]

needs poppler-utils (pdftoppm) and, for the overview, chromium (headless screenshot); without
chromium the overview is rendered through WeasyPrint → PDF → pdftoppm instead.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def pdf_to_png_grid(pdf: Path, png: Path, dpi: int = 60, columns: int = 2) -> Path:
    """All pages of a PDF side by side (columns per row) in one PNG."""
    import matplotlib.image as mpimg
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), f"{tmp}/p"], check=True)
        pages = [mpimg.imread(p) for p in sorted(Path(tmp).glob("p-*.png"))]
    h = max(p.shape[0] for p in pages)
    w = max(p.shape[1] for p in pages)
    rows = (len(pages) + columns - 1) // columns
    gap = 8
    grid = np.full((rows * h + (rows - 1) * gap, columns * w + (columns - 1) * gap, 3), 0.8, dtype=np.float32)
    for i, page in enumerate(pages):
        r, c = divmod(i, columns)
        grid[r * (h + gap): r * (h + gap) + page.shape[0], c * (w + gap): c * (w + gap) + page.shape[1]] = page[..., :3]
    png.parent.mkdir(parents=True, exist_ok=True)
    mpimg.imsave(png, grid)
    return png


def html_screenshot(html: Path, png: Path, width: int = 1280, height: int = 2000) -> Path:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    png.parent.mkdir(parents=True, exist_ok=True)
    if browser:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--hide-scrollbars", f"--screenshot={png}",
                        f"--window-size={width},{height}", html.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
        return png
    from weasyprint import HTML

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "page.pdf"
        HTML(filename=str(html)).write_pdf(pdf)
        return pdf_to_png_grid(pdf, png, dpi=70)


def main(argv: list[str]) -> None:
    out_dir, month, docs = Path(argv[0]), argv[1], Path(argv[2])
    html_screenshot(out_dir / "index.html", docs / f"overview-{month}.png")
    for agent in argv[3:]:
        pdf_to_png_grid(out_dir / f"card-{agent}-{month}.pdf", docs / f"card-{agent}-{month}.png")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
