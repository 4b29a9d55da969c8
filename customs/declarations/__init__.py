"""Customs declarations (operations layer, above orders): the orders, payments and SKUs of a
paid cross-border order turned into CEB documents, sent by workers, matched, and moved by
customs' receipts (docs/CUSTOMS.md, "The declaration layer").

Django app label ``declarations``. It calls down into the docking library (``customs.ceb``,
``customs.signing``, ``customs.gateway``, ``customs.realtime``, ``customs.profiles``) and into
``orders``; nothing below imports it.
"""
