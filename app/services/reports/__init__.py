"""The report for the Sở Nội vụ and the unit managers.

- :mod:`.periods`: months, quarters, years and custom ranges; trend steps.
- :mod:`.model`: the report as plain data, what the renderers read.
- :mod:`.labels`: labels and method notes.
- :mod:`.build`: ``report_build`` and ``report_for``: figures, comparisons and comments.
"""
