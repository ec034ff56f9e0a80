"""Reading, checking and writing OneRoster 1.1 CSV bundles (manifest.csv plus one file per entity)."""

from openroster.ingest.cells import decode_cell, encode_cell
from openroster.ingest.problems import BundleChanged, BundleInvalid, Problem
from openroster.ingest.reader import Bundle, read_bundle
from openroster.ingest.writer import write_bundle

__all__ = [
    "Bundle",
    "BundleChanged",
    "BundleInvalid",
    "Problem",
    "decode_cell",
    "encode_cell",
    "read_bundle",
    "write_bundle",
]
