"""A unit of work that only reads sees one state of the database, on either backend: the portal shows
an agency's stored score beside what is missing, read in two statements; a writer committing between
them must not make the page say "đã có đủ hồ sơ" over a score that does not count them yet."""

from collections.abc import Callable

from sqlalchemy import text

from services.common.db import READ_ONLY, create_engine, sessionmaker


async def test_a_reader_does_not_see_a_write_committed_after_its_first_read(
    database_url: Callable[[str], str],
) -> None:
    engine = create_engine(database_url("snapshot"))
    sessions = sessionmaker(engine)
    try:
        async with sessions() as setup, setup.begin():
            await setup.execute(text("CREATE TABLE evidence (element VARCHAR(40))"))
            await setup.execute(text("INSERT INTO evidence VALUES ('quality_policy')"))
        async with sessions(execution_options=READ_ONLY) as reader, reader.begin():
            first = (await reader.execute(text("SELECT count(*) FROM evidence"))).scalar_one()
            async with sessions() as writer, writer.begin():
                await writer.execute(text("INSERT INTO evidence VALUES ('improvement')"))
            second = (await reader.execute(text("SELECT count(*) FROM evidence"))).scalar_one()
        async with sessions(execution_options=READ_ONLY) as later, later.begin():
            after = (await later.execute(text("SELECT count(*) FROM evidence"))).scalar_one()
    finally:
        await engine.dispose()
    assert (first, second) == (1, 1), "the reader's second read saw a write committed after its first"
    assert after == 2, "a reader that begins after the write sees it"
