"""The operations service: REST API, durable store, jobs and the offline web map.

``create_app`` (in :mod:`sahelsat.service.api`) builds the FastAPI application;
``sahelsat serve`` runs it. Importing this package is light: the web stack loads on use.
"""


def create_app(*args, **kwargs):
    """Build the service application (see :func:`sahelsat.service.api.create_app`)."""
    from sahelsat.service.api import create_app as _create_app

    return _create_app(*args, **kwargs)


__all__ = ["create_app"]
