"""A per-dossier secret the receipt's QR link carries: the code alone no longer shows the procedure

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 10:10:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lookup_secret", sa.String(length=32), nullable=True))
    # A secret for every existing dossier, drawn in Python (no portable random in SQL), written
    # 10,000 rows a statement (executemany): a province's million dossiers take seconds, not a
    # round trip each.
    dossier = sa.table("dossier", sa.column("id", sa.Integer()), sa.column("lookup_secret", sa.String()))
    connection = op.get_bind()
    ids = [id_ for (id_,) in connection.execute(sa.select(dossier.c.id))]
    fill = dossier.update().where(dossier.c.id == sa.bindparam("row")).values(lookup_secret=sa.bindparam("secret"))
    for start in range(0, len(ids), 10_000):
        batch = ids[start:start + 10_000]
        connection.execute(fill, [{"row": id_, "secret": secrets.token_urlsafe(16)} for id_ in batch])


def downgrade():
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("lookup_secret")
