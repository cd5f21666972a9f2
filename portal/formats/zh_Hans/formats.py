"""Simplified Chinese number formats Keel uses over Django's own (the rest come from Django).

Django's zh_Hans groups no digits (THOUSAND_SEPARATOR = ""), so an ARR of 180000 reads as one
run of digits. Chinese contracts, invoices and dashboards group money by thousands with a comma
("¥180,000"), which is how Keel shows it.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
