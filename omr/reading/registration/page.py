"""Registration of a page to a template, by whichever marks the template prints."""

from __future__ import annotations

from omr.reading.channels import ScanChannels
from omr.reading.registration.aruco import MarkerDetection, detect_markers, register_aruco
from omr.reading.registration.blocks import register_by_blocks
from omr.reading.registration.fit import PageRegistration
from omr.sheet.template import ArucoRegistration, SheetTemplate
from omr.vocabulary.reasons import Problem


def register_page(
    scan: ScanChannels, template: SheetTemplate, detection: MarkerDetection | None = None
) -> PageRegistration | Problem:
    """Register a page to ``template``.

    Parameters
    ----------
    scan : ScanChannels
    template : SheetTemplate
    detection : MarkerDetection, optional
        Markers already found on this page (to avoid detecting twice).
    """
    registration = template.registration
    if isinstance(registration, ArucoRegistration):
        return register_aruco(detection or detect_markers(scan), template)
    return register_by_blocks(scan, template)
