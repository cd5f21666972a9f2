from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

FEATURE_KEY_RE = r"^[a-z0-9][a-z0-9_.:-]{0,79}$"


class Feature(models.Model):
    """A product feature events can name; core features drive the adoption score."""

    key = models.CharField(
        max_length=80,
        unique=True,
        validators=[RegexValidator(FEATURE_KEY_RE, "Use lowercase letters, digits and . _ : - (max 80).")],
        help_text=gettext_lazy("The name events use, e.g. 'alerts.triage'."),
    )
    name = models.CharField(max_length=120)
    is_core = models.BooleanField(
        gettext_lazy("core feature"),
        default=False,
        help_text=gettext_lazy("Core features count towards the adoption score."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_core", "key"]

    def __str__(self):
        return self.name or self.key
