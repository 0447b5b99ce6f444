"""The ``marketplace`` command."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import anyio
import click


def _run(function, *args, **kwargs):
    """Run an async function with the database ready; domain errors end the command with exit 1.
    The caches its changes dropped are announced to the running app processes at the end."""
    import marketplace.piccolo_conf  # noqa: F401  (engine built before the loop starts)
    from marketplace import caches
    from marketplace.cache_notices import send_now
    from marketplace.errors import DomainError

    dropped: list[str] = []

    async def body():
        caches.announce_with(dropped.append)
        try:
            return await function(*args, **kwargs)
        finally:
            caches.announce_with(None)
            if dropped:
                await send_now(dropped)

    try:
        return anyio.run(body)
    except DomainError as error:
        raise click.ClickException(f"{error.field}: {error.message}" if error.field else error.message)


@click.group()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the embedded database (default: MARKETPLACE_DATA_DIR or a per-user folder).")
def main(data_dir: Path | None) -> None:
    """Dealer-network marketplace: one shared spare-parts pool."""
    if data_dir is not None:
        os.environ["MARKETPLACE_DATA_DIR"] = str(data_dir.resolve())


def _data_dir_option(command):
    """``--data-dir`` after the subcommand too (``marketplace demo --data-dir X``)."""
    def set_data_dir(ctx, param, value):
        if value is not None:
            os.environ["MARKETPLACE_DATA_DIR"] = str(Path(value).resolve())
        return value

    return click.option("--data-dir", type=click.Path(file_okay=False), default=None, expose_value=False,
                        callback=set_data_dir, is_eager=True, help="Folder of the embedded database.")(command)


def _whole_session() -> None:
    """Migrations, backups and restores need a session of their own (pg_dump's snapshot, DDL):
    with MARKETPLACE_DIRECT_DATABASE_URL set they go straight to the primary, past PgBouncer."""
    direct = os.environ.get("MARKETPLACE_DIRECT_DATABASE_URL")
    if direct:
        os.environ["MARKETPLACE_DATABASE_URL"] = direct
        os.environ.pop("MARKETPLACE_PGBOUNCER", None)


@main.command()
@_data_dir_option
def migrate() -> None:
    """Apply pending database migrations."""
    _whole_session()  # before anything reads the settings
    from marketplace.migrate import migrate as apply

    applied = _run(apply)
    click.echo(f"applied {applied} migration(s)" if applied else "the database is up to date")


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    from marketplace.migrate import MigrationError, require_migrated

    try:
        _run(require_migrated)
    except MigrationError as error:
        raise click.ClickException(str(error))
    uvicorn.run("marketplace.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)


@main.command()
@_data_dir_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Dump the database to FILE (pg_dump custom format; safe while serving)."""
    _whole_session()  # before anything reads the settings
    from marketplace.backup import BackupError
    from marketplace.backup import backup as dump

    try:
        tools = _run(dump, file)
    except BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"backed up to {file} ({file.stat().st_size:,} bytes, pg_dump {tools.major})")


@main.command()
@_data_dir_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Replace, in one transaction, the tables the archive holds (the database must be empty otherwise).")
def restore(file: Path, replace: bool) -> None:
    """Restore a backup FILE into the database (stop the app processes first)."""
    _whole_session()  # before anything reads the settings
    from marketplace.backup import BackupError
    from marketplace.backup import restore as load

    try:
        tools = _run(load, file, replace=replace)
    except BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"restored {file} (pg_restore {tools.major}); start the app processes again")


@main.command()
@_data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=1, show_default=True)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the configured database (it must be migrated)."""
    click.echo(f"serving at http://{host}:{port}")
    _serve(host, port, workers)


@main.command()
@_data_dir_option
@click.option("--dealers", default=300, show_default=True)
@click.option("--parts", default=20000, show_default=True)
@click.option("--seed", "seed_", default=1, show_default=True)
@click.option("--stock-rows", default=400, show_default=True, help="Average stock rows per dealer.")
def seed(dealers: int, parts: int, seed_: int, stock_rows: int) -> None:
    """Fill an empty database with a deterministic synthetic network and its stock."""
    from marketplace.seed import database_is_empty, seed_network

    if not _run(database_is_empty):
        raise click.ClickException("the database already holds a network: seed only fills an empty one")
    _print_logins(_run(seed_network, dealers, parts, seed_, stock_rows))


def _print_logins(logins) -> None:
    from marketplace.seed import DEMO_PASSWORD

    click.echo(f"demo logins (password: {DEMO_PASSWORD}):")
    for login in logins:
        click.echo(f"  {login.email:32} {login.role:16} {login.dealer_code or ''}")


@main.command()
@_data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--dealers", default=300, show_default=True)
@click.option("--parts", default=20000, show_default=True)
def demo(host: str, port: int, dealers: int, parts: int) -> None:
    """Start the database, migrate, seed the demo network when empty, and serve it."""
    from marketplace.migrate import migrate as apply
    from marketplace.seed import database_is_empty, seed_network

    os.environ.setdefault("MARKETPLACE_WEBHOOKS_ALLOW_INSECURE", "1")  # webhooks to a local DMS, for trying them out
    _default_base_url(host, port)  # mail links point at this server
    started = time.monotonic()
    _run(apply)
    if _run(database_is_empty):
        click.echo(f"seeding a demo network of {dealers} dealers and {parts} parts...")
        _print_logins(_run(seed_network, dealers, parts, 1))
    else:
        click.echo("the database already holds a network; demo logins, if seeded, use password demo-password")
    click.echo(f"ready in {time.monotonic() - started:.1f} s: open http://{host}:{port}")
    _serve(host, port, 1)


def _default_base_url(host: str, port: int) -> None:
    """Without MARKETPLACE_BASE_URL, links in mails point at the address the demo serves."""
    if os.environ.get("MARKETPLACE_BASE_URL"):
        return
    from marketplace.settings import get_settings

    shown = "localhost" if host in ("0.0.0.0", "::", "") else f"[{host}]" if ":" in host else host
    os.environ["MARKETPLACE_BASE_URL"] = f"http://{shown}:{port}"
    get_settings.cache_clear()


@main.command()
@_data_dir_option
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["dealer_staff", "dealer_admin", "network_manager", "zone_agent"]))
@click.option("--dealer", "dealer_code", default=None, help="Dealer code (dealer roles).")
@click.option("--name", default="")
@click.option("--password", default=None, help="Asked for when not given.")
def createuser(email: str, role: str, dealer_code: str | None, name: str, password: str | None) -> None:
    """Create a network user."""
    from marketplace.accounts.users import UserInput, create_user

    if password is None:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    user = _run(create_user, UserInput(email=email, role=role, name=name, dealer_code=dealer_code), password)
    click.echo(f"created user {user.email} ({user.role})")


@main.group()
def apikey() -> None:
    """API keys for dealer systems and network tools."""


@apikey.command("create")
@_data_dir_option
@click.option("--dealer", "dealer_code", default=None, help="The dealer whose key this is.")
@click.option("--network", is_flag=True, help="A network manager's key.")
@click.option("--agent", "agent_email", default=None, help="A zone agent's own key (the agent's email).")
@click.option("--name", default="", help="What the key is for, e.g. 'DMS nightly feed'.")
def apikey_create(dealer_code: str | None, network: bool, name: str, agent_email: str | None = None) -> None:
    """Create a key; its last line of output is the key, shown only this once."""
    from marketplace.accounts.api_keys import create_api_key
    from marketplace.accounts.tables import Role
    from marketplace.network.dealers import dealer_id_for_code

    if (network, bool(dealer_code), bool(agent_email)).count(True) != 1:
        raise click.UsageError("give exactly one of --dealer CODE, --network or --agent EMAIL")
    if agent_email:
        created = _run(_agent_key, agent_email, name)
    elif network:
        created = _run(create_api_key, role=Role.network_manager, dealer_id=None, name=name)
    else:
        dealer_id = _run(dealer_id_for_code, dealer_code)
        created = _run(create_api_key, role=Role.dealer_admin, dealer_id=dealer_id, name=name)
    click.echo(f"created API key {created.prefix} (stored hashed: copy it now, it is not shown again)", err=True)
    click.echo(created.key)


async def _agent_key(email: str, name: str):
    from marketplace.accounts.api_keys import create_api_key
    from marketplace.accounts.tables import Role, User
    from marketplace.accounts.users import normalize_email

    row = await User.select(User.id).where((User.email == normalize_email(email)) & (User.role == Role.zone_agent)).first()
    if row is None:
        raise click.ClickException(f"no zone agent {email}")
    return await create_api_key(role=Role.zone_agent, dealer_id=None, name=name, user_id=row["id"])


@apikey.command("revoke")
@_data_dir_option
@click.argument("prefix")
def apikey_revoke(prefix: str) -> None:
    """Revoke the key with this prefix (the part after ``mk_``)."""
    from marketplace.accounts.api_keys import revoke_api_key_by_prefix

    _run(revoke_api_key_by_prefix, prefix.removeprefix("mk_").split("_")[0])
    click.echo(f"revoked {prefix}")


@apikey.command("list")
@_data_dir_option
def apikey_list() -> None:
    """Every key: prefix, dealer, name, created, last used, revoked."""
    from marketplace.accounts.api_keys import list_api_keys

    for key in _run(list_api_keys):
        click.echo("\t".join(str(v or "") for v in (
            key["prefix"], key["dealer_code"] or "network", key["name"], key["created_at"], key["last_used_at"],
            key["revoked_at"])))


@main.group()
def dealer() -> None:
    """The dealer directory."""


@dealer.command("list")
@_data_dir_option
def dealer_list() -> None:
    """One active dealer a line: code, name, city (tab-separated)."""
    from marketplace.network.dealers import active_dealers

    for row in _run(active_dealers):
        click.echo(f"{row['code']}\t{row['name']}\t{row['city']}")


@main.group()
def catalog() -> None:
    """The network catalog."""


@catalog.command("import")
@_data_dir_option
@click.argument("file", type=click.File("rb"))
def catalog_import(file) -> None:
    """Upsert parts from a CSV file; prints the report, exit 1 when nothing was applied."""
    from marketplace.inventory.catalog import import_catalog

    report = _run(import_catalog, file.read())
    click.echo(f"lines read {report.lines_read}, created {report.created}, updated {report.updated}, "
               f"rejected {len(report.rejected)}")
    for reject in report.rejected:
        click.echo(f"  line {reject.line}: {reject.part_number}: {reject.reason}")
    if report.rejected and not report.lines_applied:
        sys.exit(1)


@main.group()
def stock() -> None:
    """The shared stock pool."""


@stock.command("import")
@_data_dir_option
@click.option("--dealer", "dealer_code", required=True, help="The dealer whose stock this is.")
@click.option("--mode", type=click.Choice(["full", "delta"]), required=True,
              help="full: a snapshot (parts not listed go to zero); delta: only the rows given.")
@click.argument("file", type=click.File("rb"))
def stock_import(dealer_code: str, mode: str, file) -> None:
    """Publish a dealer's stock from a CSV or JSON file; prints the report, exit 1 when nothing applied."""
    from marketplace.inventory.feeds import apply_feed
    from marketplace.inventory.tables import FeedMode, FeedSource
    from marketplace.network.dealers import dealer_id_for_code

    dealer_id = _run(dealer_id_for_code, dealer_code)
    content_type = "application/json" if file.name.endswith(".json") else "text/csv"
    report = _run(apply_feed, dealer_id, file.read(), mode=FeedMode(mode), source=FeedSource.cli,
                  content_type=content_type)
    click.echo(f"feed {report.feed_id} ({report.mode}): lines read {report.lines_read}, applied "
               f"{report.lines_applied}, rejected {len(report.rejected)}, conflicts {len(report.conflicts)}")
    for reject in report.rejected:
        click.echo(f"  line {reject['line']}: {reject['part_number']}: {reject['reason']}")
    for conflict in report.conflicts:
        click.echo(f"  reserved above on hand: {conflict['part_number']} on hand {conflict['on_hand']}, "
                   f"reserved {conflict['reserved']}")
    if not report.applied:
        raise click.ClickException(report.error)


@main.command()
@_data_dir_option
@click.option("--period", required=True, help="The month, YYYY-MM.")
@click.option("--approve", "approve_it", is_flag=True, help="Approve (lock) it after computing.")
def settle(period: str, approve_it: bool) -> None:
    """Compute a month's settlement draft (and approve it): statements and netting payments."""
    from marketplace.settlement.settlements import approve, compute, get_settlement
    from marketplace.wiring import connect_domains

    connect_domains()  # the hooks that book into the month as it is settled (incentives)
    _run(compute, period)
    if approve_it:
        _run(approve, period, "cli")
    settlement = _run(get_settlement, period)
    click.echo(f"settlement {period}: {settlement['status']}, {len(settlement['statements'])} statements, "
               f"{len(settlement['payments'])} payments")
    for payment in settlement["payments"]:
        click.echo(f"  {payment['payer']}\t-> {payment['payee']}\t{payment['amount']:.2f}")


@main.group()
def mail() -> None:
    """The outbox's messages to customers and stores."""


@mail.command("send")
@_data_dir_option
def mail_send() -> None:
    """Deliver what is due now (the server's sweeper does this every 30 s)."""
    from marketplace.outbox.delivery import deliver_pending
    from marketplace.pickup.reminders import emit_reminders
    from marketplace.wiring import connect_domains

    connect_domains()

    reminded = _run(emit_reminders)
    report = _run(deliver_pending)
    click.echo(f"{reminded} reminders, {report.sent} sent, {report.failed} failed (kept for a later try), "
               f"{report.given_up} given up")


@main.group()
def vehicles() -> None:
    """The importer's vehicle master (also ``marketplace vehicle``)."""


main.add_command(vehicles, name="vehicle")


@vehicles.command("import")
@_data_dir_option
@click.argument("file", type=click.File("rb"))
def vehicles_import(file) -> None:
    """Upsert vehicles from a CSV file; prints the report, exit 1 when nothing was applied."""
    from marketplace.vehicles.master import import_vehicles

    report = _run(import_vehicles, file.read())
    click.echo(f"lines read {report.lines_read}, created {report.created}, updated {report.updated}, "
               f"rejected {len(report.rejected)}")
    for reject in report.rejected:
        click.echo(f"  line {reject.line}: {reject.vin}: {reject.reason}")
    if report.rejected and not report.lines_applied:
        sys.exit(1)


@vehicles.command("list")
@_data_dir_option
def vehicles_list() -> None:
    """One vehicle a line: VIN and model (tab-separated)."""
    from marketplace.vehicles.master import vehicle_list

    for row in _run(vehicle_list):
        click.echo(f"{row['vin']}\t{row['model']}")


@main.group()
def diagrams() -> None:
    """The catalog by vehicle: exploded diagrams and their callouts."""


@diagrams.command("import")
@_data_dir_option
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--csv", "csv_name", default="callouts.csv", show_default=True, help="The callout CSV in the folder.")
def diagrams_import(folder: Path, csv_name: str) -> None:
    """Import a folder of SVG diagrams and its callout CSV; prints the report, exit 1 when nothing was applied."""
    from marketplace.vehicles.diagram_import import import_diagrams

    csv_path = folder / csv_name
    if not csv_path.is_file():
        raise click.ClickException(f"no {csv_name} in {folder}")
    svgs = {path.name: path.read_bytes() for path in folder.glob("*.svg") if path.is_file()}
    report = _run(import_diagrams, csv_path.read_bytes(), svgs)
    click.echo(f"lines read {report.lines_read}, diagrams {report.diagrams}, rows {report.rows}, "
               f"rejected {len(report.rejected)}")
    for reject in report.rejected:
        click.echo(f"  line {reject.line}: callout {reject.reference}: {reject.reason}")
    if report.rejected and not report.rows:
        sys.exit(1)


if __name__ == "__main__":
    main()
