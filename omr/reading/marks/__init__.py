"""The mark reader: every bubble measured in template space, then read as blank, filled,
crossed or unclear.

The modules, in the order a page goes through them:

- :mod:`~omr.reading.marks.layout`: the template's bubbles by size, their neighbours'
  footprints (once per template); :mod:`~omr.reading.marks.sampling` and
  :mod:`~omr.reading.marks.robust`: where a bubble is sampled and the page's robust
  statistics;
- :mod:`~omr.reading.marks.outline_search`: each question's printed outlines found;
- :mod:`~omr.reading.marks.measure` (:func:`measure_bubbles`): fill, darkness, rim,
  gaps, reach and the rest, with :mod:`~omr.reading.marks.printed_inside` (letters
  printed inside bubbles taken off), :mod:`~omr.reading.marks.print_look` (the print
  divided out), :mod:`~omr.reading.marks.levels` (the page's paper and pen),
  :mod:`~omr.reading.marks.rings` (traced outlines), :mod:`~omr.reading.marks.reach`
  (how far ink runs out), :mod:`~omr.reading.marks.bridges` (strokes across the gap
  between close bubbles), :mod:`~omr.reading.marks.passes` (lines across the interior),
  :mod:`~omr.reading.marks.strokes` (stroke ends, by the geometry of an X in
  :mod:`~omr.reading.marks.x_shape`) and :mod:`~omr.reading.marks.under_xs` (what lies
  under and round an X's strokes: :mod:`~omr.reading.marks.beside_strokes`, ink beside
  them and strokes crossing inside; :mod:`~omr.reading.marks.loops`, a scribble's loops);
- :mod:`~omr.reading.marks.classify` (:func:`classify_marks`): each bubble's state, with
  :mod:`~omr.reading.marks.lines_over` (lines drawn over fills);
- :mod:`~omr.reading.marks.records`: what the reader hands on.
"""

from omr.reading.marks.classify import classify_marks
from omr.reading.marks.layout import BubbleLayout, bubble_layout
from omr.reading.marks.measure import measure_bubbles
from omr.reading.marks.records import BubbleMeasure, BubbleState, InkLevels, StrokeEnds

__all__ = [
    "BubbleLayout",
    "BubbleMeasure",
    "BubbleState",
    "InkLevels",
    "StrokeEnds",
    "bubble_layout",
    "classify_marks",
    "measure_bubbles",
]
