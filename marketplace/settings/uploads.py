"""Uploads: limits every door that takes a file applies (marketplace/images.py)."""

from .env import env_int

# The most pixels (width × height) an uploaded image may have: product images and licence
# scans alike. Checked from the image header before anything is decoded, so a decompression
# bomb (a small file that decodes to gigabytes) is refused without being opened. 40
# megapixels is a 7,700 × 5,200 photo, more than any phone takes.
UPLOAD_IMAGE_MAX_PIXELS = env_int("UPLOAD_IMAGE_MAX_PIXELS", 40_000_000)
