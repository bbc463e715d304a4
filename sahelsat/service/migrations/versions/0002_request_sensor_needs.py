"""Sensor needs of imaging requests: sensor kind, largest off-nadir angle, lowest Sun.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imaging_requests") as batch:
        batch.add_column(sa.Column("sensor", sa.String(8), nullable=False, server_default="any"))
        batch.add_column(
            sa.Column("max_off_nadir_deg", sa.Float, nullable=False, server_default="30")
        )
        batch.add_column(sa.Column("min_sun_elevation_deg", sa.Float, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imaging_requests") as batch:
        batch.drop_column("min_sun_elevation_deg")
        batch.drop_column("max_off_nadir_deg")
        batch.drop_column("sensor")
