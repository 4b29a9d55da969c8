"""Announcement 2018 No. 179 real-time payment data: payload and signature text."""
