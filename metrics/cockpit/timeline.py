"""What each recorded event is called in the account 360's timeline, in the reader's language.

The audit log stores a code per event (``cta.opened``); the timeline shows its name. An event
without a name here (a code added later) shows its code, so nothing is hidden.
"""

from django.utils.translation import gettext_lazy, pgettext_lazy
from django_stubs_ext import StrOrPromise

ACTIONS: dict[str, StrOrPromise] = {
    # the account and its people
    "tenant.provisioned": gettext_lazy("Customer created"),
    "tenant.suspended": gettext_lazy("Customer suspended"),
    "tenant.resumed": gettext_lazy("Customer resumed"),
    "tenant.sessions_ended": gettext_lazy("Every session signed out"),
    "tenant.exported": gettext_lazy("Data exported"),
    "tenant.deleted": gettext_lazy("Customer deleted"),
    "tenant.branded": gettext_lazy("Brand colour changed"),
    "tenant.logo_set": gettext_lazy("Logo changed"),
    "tenant.locale_updated": gettext_lazy("Language or time zone changed"),
    "invitation.created": gettext_lazy("Invitation sent"),
    "invitation.accepted": gettext_lazy("Invitation accepted"),
    "invitation.revoked": gettext_lazy("Invitation revoked"),
    "membership.removed": gettext_lazy("Person removed"),
    "user.preferences_updated": gettext_lazy("Personal settings changed"),
    # signing in
    "signin.succeeded": gettext_lazy("Signed in"),
    "signin.failed": gettext_lazy("Sign-in failed"),
    "signin.code_requested": gettext_lazy("Sign-in link requested"),
    "signout": gettext_lazy("Signed out"),
    "session.ended": gettext_lazy("Session ended"),
    "signin_policy.updated": gettext_lazy("Sign-in settings changed"),
    "sso.updated": gettext_lazy("Single sign-on changed"),
    "sso.secrets_rotated": gettext_lazy("Single sign-on secret rotated"),
    "sso.break_glass_opened": gettext_lazy("Password sign-in opened while single sign-on is down"),
    "sso.user_provisioned": gettext_lazy("Person added by single sign-on"),
    "handoff.created": gettext_lazy("Staff hand-off link created"),
    "handoff.redeemed": gettext_lazy("Staff hand-off link used"),
    "mfa.enrolled": gettext_lazy("Second factor set up"),
    "mfa.verified": gettext_lazy("Second factor confirmed"),
    "mfa.failed": gettext_lazy("Second factor failed"),
    "mfa.reset": gettext_lazy("Second factor reset"),
    "mfa.recovery_codes_regenerated": gettext_lazy("Recovery codes renewed"),
    # onboarding and stalls
    "stall.started": gettext_lazy("Onboarding stalled"),
    "stall.escalated": gettext_lazy("Stall escalated to admins"),
    "stall.snoozed": gettext_lazy("Stall escalation snoozed"),
    "stall.unsnoozed": gettext_lazy("Stall snooze lifted"),
    "stall.ended": gettext_lazy("Stall ended"),
    # knowledge base, features, data
    "kb.category.created": gettext_lazy("Knowledge-base category created"),
    "feature.created": gettext_lazy("Feature added"),
    "feature.updated": gettext_lazy("Feature changed"),
    "api_key.created": gettext_lazy("API key created"),
    "api_key.revoked": gettext_lazy("API key revoked"),
    "metrics.events_imported": gettext_lazy("Usage events imported"),
    "metrics.tickets_imported": gettext_lazy("Support tickets imported"),
    "metrics.seats_imported": gettext_lazy("Seat counts imported"),
    "nps.answered": gettext_lazy("NPS answered"),
    "health.recompute_requested": gettext_lazy("Health score recomputed"),
    "health.scorecard_created": gettext_lazy("Health scorecard created"),
    "health.scorecard_published": gettext_lazy("Health scorecard published"),
    "notification.retried": gettext_lazy("Notification sent again"),
    "notification.preferences_changed": gettext_lazy("Notification settings changed"),
    # reviews and outcomes
    "qbr.created": gettext_lazy("Business review drafted"),
    "qbr.published": gettext_lazy("Business review published"),
    "outcome.created": gettext_lazy("Outcome added to the success plan"),
    "outcome.value_recorded": gettext_lazy("Outcome measured"),
    "outcome.signed_off": gettext_lazy("Outcome signed off by the customer"),
    # the retention ledger
    "retention.contract_start": pgettext_lazy("retention event", "Contract started"),
    "retention.renewal": pgettext_lazy("retention event", "Renewed"),
    "retention.expansion": pgettext_lazy("retention event", "Expanded"),
    "retention.contraction": pgettext_lazy("retention event", "Contracted"),
    "retention.churn": pgettext_lazy("retention event", "Churned"),
    "retention.win_back": pgettext_lazy("retention event", "Won back"),
    "retention.reversed": gettext_lazy("Ledger entry reversed"),
    "retention.kickoff_set": gettext_lazy("Kick-off date set"),
    # the account 360 (a note shows itself in the timeline, this name is for completeness)
    "account.note_added": gettext_lazy("Note added"),
    # calls to action
    "cta.opened": gettext_lazy("Call to action opened"),
    "cta.closed": gettext_lazy("Call to action closed"),
    "cta.snoozed": gettext_lazy("Call to action snoozed"),
    "cta.reassigned": gettext_lazy("Call to action reassigned"),
    "cta.rule_changed": gettext_lazy("Call-to-action rule changed"),
}


def action_label(code: str) -> str:
    """The event's name in the active language, or its code when it has none yet."""
    label = ACTIONS.get(code)
    return str(label) if label is not None else code
