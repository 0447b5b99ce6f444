import numpy as np
import pytest

from marketplace.geo.distance import distance_km, haversine_km_many

MILANO = (45.46824, 9.17322)
ROMA = (41.88566, 12.46093)


def test_milano_roma():
    assert distance_km(MILANO, ROMA) == pytest.approx(477, abs=10)


def test_distance_is_symmetric_and_zero_on_itself():
    assert distance_km(MILANO, ROMA) == pytest.approx(distance_km(ROMA, MILANO))
    assert distance_km(MILANO, MILANO) == 0


def test_haversine_many_close_to_geodesic():
    rng = np.random.default_rng(7)
    lats = rng.uniform(36.5, 47.0, 200)
    lons = rng.uniform(6.7, 18.5, 200)
    fast = haversine_km_many(*MILANO, lats, lons)
    assert isinstance(fast, np.ndarray) and fast.shape == (200,)
    exact = np.array([distance_km(MILANO, (a, o)) for a, o in zip(lats, lons)])
    assert np.all(np.abs(fast - exact) <= 0.005 * exact)


def test_haversine_many_pairwise_and_degenerate():
    assert haversine_km_many(*MILANO, [MILANO[0]], [MILANO[1]])[0] == pytest.approx(0, abs=1e-9)
    assert haversine_km_many(0.0, 0.0, [0.0], [180.0])[0] == pytest.approx(np.pi * 6371.0088)
    starts, ends = np.array([MILANO, ROMA]), np.array([ROMA, MILANO])
    pairwise = haversine_km_many(starts[:, 0], starts[:, 1], ends[:, 0], ends[:, 1])
    assert pairwise[0] == pytest.approx(pairwise[1])
    assert haversine_km_many(*MILANO, [], []).shape == (0,)
