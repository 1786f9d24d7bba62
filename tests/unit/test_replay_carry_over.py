"""What `eiso replay` carries from the old database into the rebuilt one: the tables the service
declares (no topic holds them) and the events it committed but had not published yet."""

import sqlite3
from contextlib import closing
from pathlib import Path

from eiso_cli.processes import ROOT
from eiso_cli.replay import carry_over
from services.common.migrations import upgrade


def test_the_unsent_events_of_the_old_outbox_go_out_from_the_rebuilt_one(tmp_path: Path) -> None:
    kept, fresh = tmp_path / "compliance.db.bak", tmp_path / "compliance.db"
    upgrade(ROOT / "services" / "compliance" / "migrations", f"sqlite+aiosqlite:///{kept}")
    with closing(sqlite3.connect(kept)) as db:
        for event_id, sent in (("sent-one", "2022-06-01 03:00:00"), ("unsent-one", None)):
            db.execute(
                "INSERT INTO outbox (event_id, topic, key, value, headers, created_at, sent_at) "
                "VALUES (?, 'eiso.compliance.inspections', 'K', x'7B7D', '{}', '2022-06-01 03:00:00', ?)",
                (event_id, sent),
            )
        db.commit()
    copied = carry_over("compliance", kept, fresh, ())
    assert copied == {"outbox (unsent)": 1}
    with closing(sqlite3.connect(fresh)) as db:
        assert db.execute("SELECT event_id, sent_at FROM outbox").fetchall() == [("unsent-one", None)]
