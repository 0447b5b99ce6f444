"""Dealer-network marketplace: one shared spare-parts pool for an importer's dealers."""

import os

# Piccolo finds its engine through this module; set before any table is touched.
os.environ.setdefault("PICCOLO_CONF", "marketplace.piccolo_conf")

__version__ = "0.1.0"
