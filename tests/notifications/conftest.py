"""Milano's pickup point and the network around it, for the new-order notification."""

from tests.pickup.test_orders import milano_point  # noqa: F401  (fixture)
