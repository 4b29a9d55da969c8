"""Reading back the PDFs Silkway prints (labels, slips, store posters): their text (pypdf)
and their codes as a scanner reads them (pages rendered by poppler, decoded by zbar;
``scripts/ensure_label_tools.sh`` installs both)."""

from __future__ import annotations

import io
import shutil
import subprocess

from pypdf import PdfReader


def text_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def barcodes(pdf: bytes, tmp_path, symbology: str = "code128") -> list[str]:
    """Render every page and decode its ``symbology`` codes (zbar's name: ``code128``,
    ``qrcode``), in page order."""
    assert shutil.which("pdftoppm") and shutil.which("zbarimg"), "scripts/ensure_label_tools.sh"
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-png", source, tmp_path / "page"], check=True
    )
    found = []
    for image in sorted(tmp_path.glob("page*.png")):
        out = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", f"-S{symbology}.enable", image],
            capture_output=True,
            text=True,
        )
        found += out.stdout.split()
    return found


def image_codes(png: bytes, tmp_path, symbology: str = "qrcode") -> list[str]:
    """Decode the ``symbology`` codes of one image (a QR code served as PNG, a screenshot)."""
    assert shutil.which("zbarimg"), "scripts/ensure_label_tools.sh"
    image = tmp_path / "image.png"
    image.write_bytes(png)
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", f"-S{symbology}.enable", image],
        capture_output=True,
        text=True,
    )
    return out.stdout.split()
