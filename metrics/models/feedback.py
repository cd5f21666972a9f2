from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class NpsResponse(models.Model):
    """One customer user's answer to the NPS question in one survey period.

    ``score`` is empty when the person dismissed the prompt: that still counts as "asked this
    period" (at most one prompt per period) but not as an answer.
    """

    # The Keel user's id (public schema). Not a foreign key: deleting a user from the public
    # schema must not try to cascade into every tenant's tables.
    respondent_id = models.BigIntegerField()
    period = models.CharField(max_length=10, help_text=gettext_lazy("Survey period, e.g. 2026-Q4."))
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="npsresponse_created_idx")]
        constraints = [
            models.UniqueConstraint(fields=["respondent_id", "period"], name="npsresponse_one_per_user_period"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=10), name="npsresponse_score_0_10"
            ),
        ]

    def __str__(self):
        return f"user {self.respondent_id} {self.period}: {self.score}"

    @property
    def category(self) -> str | None:
        """Return promoter (9-10), passive (7-8) or detractor (0-6); None for a dismissal."""
        if self.score is None:
            return None
        if self.score >= 9:
            return "promoter"
        return "passive" if self.score >= 7 else "detractor"
