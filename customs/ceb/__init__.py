"""CEB messages of the China customs unified cross-border system (202205): document types,
builders, parsers, field rules, XSD validation, the DXP envelope, three-document matching and
receipt codes. Pure Python over lxml; docs/CUSTOMS.md."""
