"""A service's process: its engine, broker, consumers, outbox relay and HTTP app, wired once.

Each service's `app.py` builds a `Service`, adds its consumers and routers, and `__main__` runs it.
Start-up order: migrations, topics, broker (consumers), relay, then HTTP; shutdown in reverse.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

import structlog
import uvicorn
from aiokafka.errors import KafkaError
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from contracts.topics import AUDIT_TOPICS
from services.common import metrics, workdays
from services.common.audit import Audited, action_of
from services.common.auth import me_router
from services.common.clock import Clock, make_clock
from services.common.consumer import Admission, EventConsumer, Handler, Keeper, subscribe
from services.common.db import create_engine, ping, sessionmaker
from services.common.docs import serve_docs
from services.common.http import harden
from services.common.inputs import CAMPAIGN_YEARS
from services.common.kafka import RelayProducer, ensure_topics, group_lag, make_broker
from services.common.logging import configure_logging
from services.common.migrations import upgrade
from services.common.outbox_inbox import OutgoingRecord
from services.common.ratelimit import RequestLimits, TokenBuckets
from services.common.relay import OutboxRelay
from services.common.responses import allow_every_method, document_refusals
from services.common.settings import ServiceSettings
from services.common.uow import UnitOfWork

log = structlog.get_logger("eiso.service")
#: How often the consumer lag gauge is refreshed.
LAG_SECONDS = 15.0
#: How long a stop waits for the relay's producer to finish what it has in flight.
PRODUCER_STOP_SECONDS = 5.0


U = TypeVar("U", bound=UnitOfWork)
P = ParamSpec("P")
R = TypeVar("R")


class Service(Generic[U]):
    """One service's process; `U` is its unit of work (with its repositories)."""

    def __init__(
        self,
        settings: ServiceSettings,
        migrations: Path,
        unit_of_work: type[U],
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.unit_of_work = unit_of_work
        self.migrations = migrations
        self.clock = clock or make_clock(settings.clock_fixed_at, settings.clock_starts_at)
        CAMPAIGN_YEARS.first, CAMPAIGN_YEARS.last = settings.campaign_first_year, settings.campaign_last_year
        CAMPAIGN_YEARS.clock = self.clock
        #: The province's working days (EISO_WORKDAYS_FILE): a wrong entry stops the service here.
        self.calendar: workdays.WorkingDays = workdays.load(settings.workdays_file)
        self.engine = create_engine(settings.database_url)
        self.sessions = sessionmaker(self.engine)
        self.broker = make_broker(settings)
        self.producer = RelayProducer(settings)
        self.relay = OutboxRelay(
            self.sessions,
            self.producer.publish,
            self.clock,
            batch_max=settings.outbox_batch_max,
            poll_seconds=settings.outbox_poll_seconds,
        )
        self.limits = RequestLimits(
            per_key=TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst),
            failures=TokenBuckets(settings.failed_attempts_per_minute / 60, settings.failed_attempts_burst),
            anonymous=TokenBuckets(settings.anonymous_rate_per_second, settings.anonymous_burst),
        )
        self.consumers: list[EventConsumer] = []
        self.routers: list[APIRouter] = []
        #: Folders of static files served under /static after the common ones (e.g. a page's stylesheet).
        self.static_dirs: list[Path] = []
        #: Run once at start, after migrations and before consuming (e.g. re-scoring on new rules).
        self.on_start: list[Callable[[], Awaitable[None]]] = []
        #: Run once at stop, after the loops are cancelled (e.g. closing a pool of HTTP connections).
        self.on_stop: list[Callable[[], Awaitable[None]]] = []
        #: Long-running loops (e.g. the daily evaluation), started with the broker, cancelled at stop.
        self.background: list[Callable[[], Coroutine[Any, Any, None]]] = []

    def uow(self) -> U:
        return self.unit_of_work(self.sessions, self.clock, self.settings.source, on_commit=self.relay.wake)

    def reader(self) -> U:
        """A unit of work that only reads: it never waits for a writer, and cannot emit."""
        return self.unit_of_work(self.sessions, self.clock, self.settings.source, read_only=True)

    async def command(
        self, usecase: Callable[Concatenate[U, P], Awaitable[R]], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run a use case that changes state in a unit of work of its own, and commit it (what a route
        does with a command)."""
        async with self.uow() as uow:
            result = await usecase(uow, *args, **kwargs)
            await uow.commit()
        return result

    async def preview(
        self, usecase: Callable[Concatenate[U, P], Awaitable[R]], *args: P.args, **kwargs: P.kwargs
    ) -> tuple[R, list[OutgoingRecord]]:
        """Run a change as `command` would, then roll it back: its result and the events it would have
        published — what a person checks before a change that moves many things (a reorganisation).
        The same use case, so the preview refuses what the change would refuse."""
        async with self.uow() as uow:
            result = await usecase(uow, *args, **kwargs)
            return result, uow.pending_events()  # leaving without a commit rolls everything back

    async def act(
        self,
        audited: Audited,
        usecase: Callable[Concatenate[U, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """`command`, recording who did it in the same transaction (on `eiso.<service>.audit`): what a
        route does with a change a person or a system asks for. A change refused (an exception)
        leaves no entry, as it leaves no change."""
        async with self.uow() as uow:
            result = await usecase(uow, *args, **kwargs)
            entry = audited.event(
                self.settings.service_name, self.settings.source, action_of(usecase), uow.clock.now()
            )
            uow.emit(AUDIT_TOPICS[self.settings.service_name], entry)
            await uow.commit()
        return result

    async def query(
        self, usecase: Callable[Concatenate[U, P], Awaitable[R]], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run a use case that only reads, in a unit of work that never waits for a writer."""
        async with self.reader() as uow:
            return await usecase(uow, *args, **kwargs)

    def consume(
        self,
        topics: list[str],
        handlers: dict[str, Handler],
        refuse_reused_ids: bool = False,
        pattern: str | None = None,
        admit: Admission | None = None,
        keep_dead_letter: Keeper | None = None,
    ) -> None:
        """Apply `handlers` to the events of `topics` (or of every topic `pattern` matches, `topics`
        being those known in advance), with `admit` checked first (see `EventConsumer`)."""
        consumer = EventConsumer(
            self.settings.service_name,
            topics,
            handlers,
            self.uow,
            crash_at=self.settings.crash_at,
            refuse_reused_ids=refuse_reused_ids,
            pattern=pattern,
            admit=admit,
            keep_dead_letter=keep_dead_letter,
        )
        metrics.preinitialise(consumer.name, topics)
        settings = self.settings
        subscribe(
            self.broker, consumer, settings.group_id, settings.consumer_batch_max, settings.consumer_wait_ms
        )
        if not self.consumers:
            self.every(LAG_SECONDS, self.measure_lag)
        self.consumers.append(consumer)

    def every(self, seconds: float, job: Callable[[], Awaitable[object]]) -> None:
        """Run `job` every `seconds` while the service runs; a failed round is logged and tried again."""

        async def loop() -> None:
            while True:
                try:
                    await job()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("periodic job failed; will retry", job=job.__name__, error=repr(exc))
                await asyncio.sleep(seconds)

        loop.__name__ = job.__name__
        self.background.append(loop)

    async def measure_lag(self) -> None:
        for consumer in self.consumers:
            metrics.CONSUMER_LAG.labels(consumer=consumer.name).set(
                await group_lag(self.settings, consumer.topics)
            )

    async def readiness(self) -> dict[str, str]:
        """Each dependency's state: "ok" or why not."""
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(ping(self.engine), 3)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {type(exc).__name__}"
        checks["broker"] = "ok" if await self.broker.ping(timeout=3) else "unavailable"
        for consumer in self.consumers:
            checks[f"consumer:{consumer.name}"] = (
                "ok" if consumer.healthy else f"retrying after {consumer.failures} failed batch(es)"
            )
        checks["outbox_relay"] = "ok" if self.relay.healthy else "retrying"
        metrics.READY.set(1 if all(v == "ok" for v in checks.values()) else 0)
        return checks

    def app(self) -> FastAPI:
        @contextlib.asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            await asyncio.to_thread(upgrade, self.migrations, self.settings.database_url)
            for hook in self.on_start:
                await hook()
            try:
                await ensure_topics(self.settings)
            except KafkaError as exc:
                settings = self.settings
                log.error(
                    "cannot use Kafka: check the address, the credentials and the CA (the cause is above)",
                    bootstrap=settings.kafka_bootstrap_servers,
                    protocol=settings.kafka_security_protocol,
                    user=settings.kafka_username,
                    error=str(exc),
                )
                raise
            await self.broker.start()
            await self.producer.start()
            tasks = [asyncio.create_task(self.relay.run(), name="outbox-relay")]
            tasks += [asyncio.create_task(loop(), name=loop.__name__) for loop in self.background]
            log.info("service started", port=self.settings.http_port)
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                for hook in self.on_stop:
                    await hook()
                await self.broker.stop()  # consumers first: nothing new is applied while we stop
                with contextlib.suppress(TimeoutError):  # unsent outbox rows stay for the next start
                    await asyncio.wait_for(self.producer.stop(), PRODUCER_STOP_SECONDS)
                await self.engine.dispose()
                log.info("service stopped")

        # FastAPI's own /docs and /redoc load their scripts from a CDN: ours are served locally.
        app = FastAPI(
            title=f"eiso {self.settings.service_name}", lifespan=lifespan, docs_url=None, redoc_url=None
        )
        app.state.service = self
        harden(app, self.settings.max_body_bytes)
        routers = [health_router(), me_router(), *self.routers]
        for router in routers:
            app.include_router(router)
        serve_docs(app, self.static_dirs)
        document_refusals(app, routers)
        allow_every_method(app, routers)
        metrics.preinitialise_routes(app.routes)
        return app


def health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready")
    async def ready(request: Request) -> JSONResponse:
        service = request.app.state.service
        checks = await service.readiness()
        ok = all(v == "ok" for v in checks.values())
        body = {
            "status": "ok" if ok else "unavailable",
            "checks": checks,
            # What it reads and as which group: how an operator (or `eiso replay`) checks it keeps up.
            "consumer_group": service.settings.group_id,
            "consumes": sorted({t for c in service.consumers for t in c.topics}),
        }
        return JSONResponse(body, 200 if ok else 503)

    @router.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format."}},
    )
    async def metrics_endpoint() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router


def service_of(request: Request) -> Any:
    """FastAPI dependency: the running `Service` (typed by each service's own api module)."""
    return request.app.state.service


def run(build: Callable[[], "Service[Any]"]) -> None:
    """The `python -m services.<name>` entry point."""
    service = build()
    settings = service.settings
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    uvicorn.run(
        service.app(),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=20,
    )
