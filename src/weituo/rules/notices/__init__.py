"""One package per notice: its text (``notice.txt``), its rules, ``parameters.yaml`` and ``cases/*.yaml``.

Each package defines ``NOTICE`` (from :func:`weituo.rules.engine.load_notice`) and imports the
modules that declare its rules; :func:`weituo.rules.all_rules` imports every package here.
"""
