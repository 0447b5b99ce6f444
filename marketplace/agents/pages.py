"""Pages of the zone agents: the agent's own page (its dealers, ranking, alerts, call list), acting
for a dealer, the dealer's list of what agents did for it, and the managers' pages (assignments,
the adoption bonus report)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.response import Redirect, Template

from marketplace.accounts.auth import SESSION_COOKIE, dealer_only, manager_only, signed_in
from marketplace.agents.access import agent_id_of, check_may_view, period_or_current
from marketplace.agents.acting import start_acting, stop_acting
from marketplace.agents.assignments import agents_of_dealer, get_agent, list_agents, parse_provinces, set_assignment
from marketplace.agents.audit import LABELS, actions_by_agent, actions_for_dealer
from marketplace.agents.bonus import BonusRule, add_rule, bonus_csv, bonus_report, rule_for, rule_history
from marketplace.agents.coaching import (
    EXPIRING_HOURS,
    INACTIVE_DAYS,
    call_list,
    call_list_csv,
    dealer_cards,
    targets_missed_function,
    week_of,
)
from marketplace.decimal_input import parse_decimal
from marketplace.errors import DomainError, Forbidden
from marketplace.settlement.periods import period_of
from marketplace.web.forms import form_date, form_errors, form_fields
from marketplace.web.i18n import gettext_for
from marketplace.web.render import language_of, page
from marketplace.web.urls import redirect_to

MAX_AMOUNT = 100_000


def _translated(request: Request, error: DomainError) -> dict[str, str]:
    """The field's message in the reader's language, with the codes at fault when the error names them."""
    _ = gettext_for(language_of(request))
    codes = error.extra.get("codes") or []
    return {field: _(message) + (f": {', '.join(codes)}" if codes else "") for field, message in form_errors(error).items()}


def _csv(text: str, filename: str) -> Response[str]:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class AgentPages(Controller):
    path = "/agents"
    guards = [signed_in]
    include_in_schema = False

    @get("/", name="agents:home")
    async def home(self, request: Request) -> Redirect:
        agent_id = agent_id_of(request.user)
        if agent_id is not None:
            return redirect_to(request, "agents:page", agent_id=agent_id)
        if request.user.is_manager:
            return redirect_to(request, "agents:list")
        raise PermissionDeniedException("zone agents and managers only")

    @get("/{agent_id:int}", name="agents:page")
    async def agent_page(self, request: Request, agent_id: int, period: str = "") -> Template:
        check_may_view(request.user, agent_id)
        agent = await get_agent(agent_id)
        period = period_or_current(period)
        now = datetime.now(timezone.utc)
        cards = await dealer_cards(agent_id, period, now)
        return page(request, "agents/agent.html", agent=agent, period=period, cards=cards, calls=call_list(cards),
                    actions=await actions_by_agent(agent_id, 20), labels=LABELS, inactive_days=INACTIVE_DAYS,
                    expiring_hours=EXPIRING_HOURS, targets_known=targets_missed_function() is not None, now=now,
                    acting_as_agent=agent_id_of(request.user) == agent_id)

    @get("/{agent_id:int}/call-list", name="agents:calls")
    async def calls(self, request: Request, agent_id: int) -> Template:
        """The week's call list, printable (one click from the agent's page)."""
        check_may_view(request.user, agent_id)
        agent = await get_agent(agent_id)
        now = datetime.now(timezone.utc)
        cards = await dealer_cards(agent_id, period_of(now), now)
        monday, sunday = week_of(now)
        return page(request, "agents/call_list.html", agent=agent, calls=call_list(cards), monday=monday,
                    sunday=sunday, week=monday.isocalendar()[1])

    @get("/{agent_id:int}/call-list.csv", media_type="text/csv")
    async def calls_csv(self, request: Request, agent_id: int) -> Response[str]:
        check_may_view(request.user, agent_id)
        await get_agent(agent_id)
        now = datetime.now(timezone.utc)
        cards = await dealer_cards(agent_id, period_of(now), now)
        monday, _ = week_of(now)
        return _csv(call_list_csv(cards, gettext_for(language_of(request))),
                    f"chiamate-{monday.isocalendar()[0]}-w{monday.isocalendar()[1]:02d}.csv")

    @post("/act/{code:str}", name="agents:act")
    async def act(self, request: Request, code: str) -> Redirect:
        """Open the dealer's view: from the next page on the agent works as that dealer."""
        agent_id = agent_id_of(request.user)
        if agent_id is None:
            raise Forbidden("only a zone agent acts for a dealer", "role")
        await start_acting(agent_id, request.cookies.get(SESSION_COOKIE, ""), code)
        return Redirect("/", status_code=303)

    @post("/stop", name="agents:stop")
    async def stop(self, request: Request) -> Redirect:
        agent_id = agent_id_of(request.user)
        if agent_id is None:
            raise Forbidden("only a zone agent acts for a dealer", "role")
        await stop_acting(request.cookies.get(SESSION_COOKIE, ""))
        return redirect_to(request, "agents:page", agent_id=agent_id)

    @get("/actions", guards=[dealer_only], name="agents:dealer_actions")
    async def dealer_actions(self, request: Request) -> Template:
        """What zone agents did acting for this dealer (the dealer's own list)."""
        return page(request, "agents/actions.html", actions=await actions_for_dealer(request.user.dealer_id, 200),
                    labels=LABELS, agents=await agents_of_dealer(request.user.dealer_id))


class AgentManagerPages(Controller):
    path = "/network/agents"
    guards = [manager_only]
    include_in_schema = False

    @get("/", name="agents:list")
    async def index(self, request: Request) -> Template:
        return page(request, "agents/manage.html", agents=await list_agents(), errors={}, failed_agent=None)

    @post("/{agent_id:int}", name="agents:assign")
    async def assign(self, request: Request, agent_id: int) -> Response:
        form = await form_fields(request)
        try:
            provinces = parse_provinces(form.get("provinces", ""))
            dealers = [c for c in form.get("dealers", "").replace(";", ",").replace("\n", ",").split(",")]
            await set_assignment(agent_id, provinces, dealers)
        except DomainError as error:
            return page(request, "agents/manage.html", status_code=error.status_code, agents=await list_agents(),
                        errors=_translated(request, error), failed_agent=agent_id, values=form)
        return redirect_to(request, "agents:list")

    @get("/bonus", name="agents:bonus")
    async def bonus(self, request: Request, period: str = "") -> Template:
        period = period_or_current(period)
        return page(request, "agents/bonus.html", period=period, rows=await bonus_report(period),
                    rule=await rule_for(period), history=await rule_history(), errors={}, values={})

    @get("/bonus.csv", media_type="text/csv")
    async def bonus_file(self, period: str = "") -> Response[str]:
        period = period_or_current(period)
        return _csv(bonus_csv(await bonus_report(period)), f"bonus-agenti-{period}.csv")

    @post("/bonus/rules", name="agents:bonus_rule")
    async def new_rule(self, request: Request) -> Response:
        """A new version of the bonus rule, in force from the date given."""
        form = await form_fields(request)
        try:
            rule = BonusRule(
                version=0, effective_from=form_date(form.get("effective_from"), "effective_from") or date.today(),
                per_active_dealer=parse_decimal(form.get("per_active_dealer", ""), "per_active_dealer", high=MAX_AMOUNT),
                per_hour_saved=parse_decimal(form.get("per_hour_saved", ""), "per_hour_saved", high=MAX_AMOUNT),
                share_floor_pct=parse_decimal(form.get("share_floor_pct", ""), "share_floor_pct", high=100),
                per_share_point=parse_decimal(form.get("per_share_point", ""), "per_share_point", high=MAX_AMOUNT),
                cap=parse_decimal(form.get("cap", ""), "cap", high=MAX_AMOUNT))
            await add_rule(rule, f"user:{request.user.email}")
        except DomainError as error:
            period = period_or_current("")
            return page(request, "agents/bonus.html", status_code=error.status_code, period=period,
                        rows=await bonus_report(period), rule=await rule_for(period), history=await rule_history(),
                        errors=_translated(request, error), values=form)
        return redirect_to(request, "agents:bonus")
