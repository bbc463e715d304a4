"""Products: files made by jobs or uploaded by operators, listed, checked and served."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from sqlalchemy import func, select

from sahelsat.inputs import InputError
from sahelsat.service.db import Product
from sahelsat.service.models import ProductOut
from sahelsat.service.usecases import NotFound

_COLUMNS = (
    Product.id,
    Product.name,
    Product.media_type,
    Product.size_bytes,
    Product.sha256,
    Product.job_id,
    Product.created_at,
)


def listing(db, job_id: int | None, limit: int, offset: int) -> dict:
    query = select(*_COLUMNS)
    if job_id is not None:
        query = query.where(Product.job_id == job_id)
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.execute(query.order_by(Product.id.desc()).limit(limit).offset(offset)).all()
    return {"items": [ProductOut.of(r) for r in rows], "total": total, "limit": limit,
            "offset": offset}  # fmt: skip


def check(name: str, content: bytes) -> str:
    """The media type of an uploaded file (InputError naming ``query.name`` or ``body``)."""
    from sahelsat.service.products import ProductError, check_product

    try:
        return check_product(name, content)
    except ProductError as exc:
        raise InputError.at(tuple(exc.field.split(".")), exc.reason) from None
    except RecursionError:
        raise InputError.at("body", "nested too deeply") from None


def store(sessions, name: str, media_type: str, content: bytes) -> ProductOut:
    with sessions() as db:
        row = Product(
            name=name,
            media_type=media_type,
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )
        db.add(row)
        db.commit()
        return ProductOut.of(row)


def get(db, product_id: int) -> Product:
    row = db.get(Product, product_id)
    if row is None:
        raise NotFound("product_id", f"no product {product_id}")
    return row


def content_disposition(name: str) -> str:
    """``attachment`` with the file name for every client (RFC 6266): an ASCII fallback
    in ``filename`` and the exact name, UTF-8 percent-encoded, in ``filename*`` (RFC 5987).
    """
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
    return (
        f"attachment; filename=\"{fallback or 'product'}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
