"""Imaging-request priorities are weights (> 0), the same number the planner uses.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imaging_requests") as batch:
        batch.alter_column(
            "priority", existing_type=sa.Integer, type_=sa.Float, existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("imaging_requests") as batch:
        batch.alter_column(
            "priority", existing_type=sa.Float, type_=sa.Integer, existing_nullable=False
        )
