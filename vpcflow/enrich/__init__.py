"""Enrichment: which AWS service owns an address, which resource an interface belongs to, private or public,
and GeoIP/ASN when the user has a MaxMind database and a reader package."""

from .geo import geo_available, lookup_geo
from .interfaces import load_aws_interfaces, load_topology_interfaces
from .ipranges import aws_service, load_ip_ranges, refresh

__all__ = ["aws_service", "geo_available", "load_aws_interfaces", "load_ip_ranges", "load_topology_interfaces",
           "lookup_geo", "refresh"]
