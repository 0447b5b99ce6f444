"""The network pulse: what the network did for the network and for each dealer, month by month."""
