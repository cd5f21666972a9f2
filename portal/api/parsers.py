"""The API's JSON parser: DRF's, with a body nested too deeply for Python answered as a 400."""

from django.utils.translation import gettext
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        # DRF catches ValueError only; json.loads raises RecursionError on, say, 100,000 nested
        # brackets, which was a 500.
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(gettext("JSON parse error - the body nests arrays or objects too deeply.")) from None
