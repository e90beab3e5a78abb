"""Exchange: import and export of the whole registry (registry and contracts) as one Excel workbook or JSON.

One dataset format underlies both: for every sheet, a list of rows keyed by model field name, with
foreign keys given as the referenced record's ``ref`` (or, for a record without a ref, its natural
key) and many-to-many fields as lists of refs. ``weituo demo`` loads its synthetic province through
the same import, so the demo exercises the path a real user's workbook takes.
"""
