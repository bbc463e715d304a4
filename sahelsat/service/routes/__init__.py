"""The API's routes, one module per resource; each is a thin adapter: parse the request
into typed inputs, call one use case (:mod:`sahelsat.service.usecases`), answer."""

from sahelsat.service.routes import (
    design,
    fleets,
    floods,
    jobs,
    layers,
    places,
    products,
    requests,
    scenes,
    system,
    tokens,
)

ROUTERS = [system.router, tokens.router, places.router, requests.router, fleets.router,
           jobs.router, layers.router, products.router, design.router, scenes.router,
           floods.router]  # fmt: skip
