"""What each recorded event is called in the account 360's timeline, in the reader's language.

The audit log stores a code per event (``cta.opened``); the timeline shows its name. An event
without a name here (a code added later) shows its code, so nothing is hidden.
"""

from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

ACTIONS: dict[str, StrOrPromise] = {
    # the account and its people
    "tenant.provisioned": pgettext_lazy("timeline event", "Customer created"),
    "tenant.suspended": pgettext_lazy("timeline event", "Customer suspended"),
    "tenant.resumed": pgettext_lazy("timeline event", "Customer resumed"),
    "tenant.sessions_ended": pgettext_lazy("timeline event", "Every session signed out"),
    "tenant.exported": pgettext_lazy("timeline event", "Data exported"),
    "tenant.deleted": pgettext_lazy("timeline event", "Customer deleted"),
    "tenant.branded": pgettext_lazy("timeline event", "Brand colour changed"),
    "tenant.logo_set": pgettext_lazy("timeline event", "Logo changed"),
    "tenant.locale_updated": pgettext_lazy("timeline event", "Language or time zone changed"),
    "invitation.created": pgettext_lazy("timeline event", "Invitation sent"),
    "invitation.accepted": pgettext_lazy("timeline event", "Invitation accepted"),
    "invitation.revoked": pgettext_lazy("timeline event", "Invitation revoked"),
    "membership.removed": pgettext_lazy("timeline event", "Person removed"),
    "user.preferences_updated": pgettext_lazy("timeline event", "Personal settings changed"),
    # signing in
    "signin.succeeded": pgettext_lazy("timeline event", "Signed in"),
    "signin.failed": pgettext_lazy("timeline event", "Sign-in failed"),
    "signin.code_requested": pgettext_lazy("timeline event", "Sign-in link requested"),
    "signout": pgettext_lazy("timeline event", "Signed out"),
    "session.ended": pgettext_lazy("timeline event", "Session ended"),
    "signin_policy.updated": pgettext_lazy("timeline event", "Sign-in settings changed"),
    "sso.updated": pgettext_lazy("timeline event", "Single sign-on changed"),
    "sso.secrets_rotated": pgettext_lazy("timeline event", "Single sign-on secret rotated"),
    "sso.break_glass_opened": pgettext_lazy("timeline event", "Password sign-in opened while single sign-on is down"),
    "sso.user_provisioned": pgettext_lazy("timeline event", "Person added by single sign-on"),
    "handoff.created": pgettext_lazy("timeline event", "Staff hand-off link created"),
    "handoff.redeemed": pgettext_lazy("timeline event", "Staff hand-off link used"),
    "mfa.enrolled": pgettext_lazy("timeline event", "Second factor set up"),
    "mfa.verified": pgettext_lazy("timeline event", "Second factor confirmed"),
    "mfa.failed": pgettext_lazy("timeline event", "Second factor failed"),
    "mfa.reset": pgettext_lazy("timeline event", "Second factor reset"),
    "mfa.recovery_codes_regenerated": pgettext_lazy("timeline event", "Recovery codes renewed"),
    # onboarding and stalls
    "stall.started": pgettext_lazy("timeline event", "Onboarding stalled"),
    "stall.escalated": pgettext_lazy("timeline event", "Stall escalated to admins"),
    "stall.snoozed": pgettext_lazy("timeline event", "Stall escalation snoozed"),
    "stall.unsnoozed": pgettext_lazy("timeline event", "Stall snooze lifted"),
    "stall.ended": pgettext_lazy("timeline event", "Stall ended"),
    # knowledge base, features, data
    "kb.category.created": pgettext_lazy("timeline event", "Knowledge-base category created"),
    "feature.created": pgettext_lazy("timeline event", "Feature added"),
    "feature.updated": pgettext_lazy("timeline event", "Feature changed"),
    "api_key.created": pgettext_lazy("timeline event", "API key created"),
    "api_key.revoked": pgettext_lazy("timeline event", "API key revoked"),
    "metrics.events_imported": pgettext_lazy("timeline event", "Usage events imported"),
    "metrics.tickets_imported": pgettext_lazy("timeline event", "Support tickets imported"),
    "metrics.seats_imported": pgettext_lazy("timeline event", "Seat counts imported"),
    "nps.answered": pgettext_lazy("timeline event", "NPS answered"),
    "health.recompute_requested": pgettext_lazy("timeline event", "Health score recomputed"),
    "health.scorecard_created": pgettext_lazy("timeline event", "Health scorecard created"),
    "health.scorecard_published": pgettext_lazy("timeline event", "Health scorecard published"),
    "notification.retried": pgettext_lazy("timeline event", "Notification sent again"),
    "notification.preferences_changed": pgettext_lazy("timeline event", "Notification settings changed"),
    # reviews and outcomes
    "qbr.created": pgettext_lazy("timeline event", "Business review drafted"),
    "qbr.published": pgettext_lazy("timeline event", "Business review published"),
    "outcome.created": pgettext_lazy("timeline event", "Outcome added to the success plan"),
    "outcome.value_recorded": pgettext_lazy("timeline event", "Outcome measured"),
    "outcome.signed_off": pgettext_lazy("timeline event", "Outcome signed off by the customer"),
    # the retention ledger
    "retention.contract_start": pgettext_lazy("timeline event", "Contract started"),
    "retention.renewal": pgettext_lazy("timeline event", "Renewed"),
    "retention.expansion": pgettext_lazy("timeline event", "Expanded"),
    "retention.contraction": pgettext_lazy("timeline event", "Contracted"),
    "retention.churn": pgettext_lazy("timeline event", "Churned"),
    "retention.win_back": pgettext_lazy("timeline event", "Won back"),
    "retention.reversed": pgettext_lazy("timeline event", "Ledger entry reversed"),
    "retention.kickoff_set": pgettext_lazy("timeline event", "Kick-off date set"),
    # the account 360 (a note shows itself in the timeline, this name is for completeness)
    "account.note_added": pgettext_lazy("timeline event", "Note added"),
    # calls to action
    "cta.opened": pgettext_lazy("timeline event", "Call to action opened"),
    "cta.closed": pgettext_lazy("timeline event", "Call to action closed"),
    "cta.snoozed": pgettext_lazy("timeline event", "Call to action snoozed"),
    "cta.reassigned": pgettext_lazy("timeline event", "Call to action reassigned"),
    "cta.rule_changed": pgettext_lazy("timeline event", "Call-to-action rule changed"),
}


def action_label(code: str) -> str:
    """The event's name in the active language, or its code when it has none yet."""
    label = ACTIONS.get(code)
    return str(label) if label is not None else code
