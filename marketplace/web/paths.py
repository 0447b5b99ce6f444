"""Where the site's two halves meet: the JSON API lives under API_PREFIX, pages everywhere else
(authentication, errors and the header's badges each tell them apart by it)."""

API_PREFIX = "/api/"
