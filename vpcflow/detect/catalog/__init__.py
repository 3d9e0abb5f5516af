"""The shipped detections, one module per family; importing this package registers them."""

from . import access, exfiltration, network, scanning, traffic  # noqa: F401
