"""`{% unified_login_button next %}`: the unified login's button on a sign-in page, when it is configured."""

from django import template

from portal.unified_login import provider

register = template.Library()


@register.inclusion_tag("registration/_unified_login.html")
def unified_login_button(next_url: str = "") -> dict:
    return {"unified_login": provider.enabled(), "next": next_url}
