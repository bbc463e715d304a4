"""Uploaded element sets kept per fleet: the fleet an upload was added to and the
version it became there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("element_sets") as batch:
        batch.add_column(sa.Column("fleet", sa.String(64), nullable=True))
        batch.add_column(sa.Column("version", sa.String(40), nullable=True))
        batch.create_index("ix_element_sets_fleet", ["fleet"])


def downgrade() -> None:
    with op.batch_alter_table("element_sets") as batch:
        batch.drop_index("ix_element_sets_fleet")
        batch.drop_column("version")
        batch.drop_column("fleet")
