"""Signals other apps listen to, so the knowledge base never imports them.

``read_confirmed`` is the onboarding hook: sent once, after commit, when a person first
confirms reading an article or page, with ``tenant``, ``user`` and ``ref`` ("article:<id>" or
"page:<id>", see ``portal.kb.selectors.kb_ref``). The checklist connects a receiver that
completes its "read and confirm" tasks pointing at ``ref``.
"""

from django.dispatch import Signal

read_confirmed = Signal()
