"""The shipped detections, one module per family; importing this package registers them."""

from . import access, dns, exfiltration, intel, network, scanning, traffic  # noqa: F401
