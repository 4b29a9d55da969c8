"""Hostile images for upload tests (not a test module)."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def decompression_bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A real, valid PNG of ``width`` × ``height`` black pixels (1 bit each) that compresses
    to a few dozen kilobytes: 400 megapixels by default, gigabytes once decoded."""
    row = b"\x00" + bytes((width + 7) // 8)  # filter byte "none", then the packed pixels
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )
