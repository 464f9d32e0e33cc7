"""Drawings of the architecture: graphviz (DOT/SVG/PNG/PDF), Mermaid, and the HTML report.

``model`` turns a check result into a :class:`~archguard.render.model.Picture` (what is
drawn); ``dot``, ``mermaid`` and ``html`` are one module per drawing (how it is drawn).
"""
