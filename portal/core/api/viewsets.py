"""Shapes of viewset that several apps share."""

from rest_framework import permissions, viewsets


class PublicListByCode(viewsets.ReadOnlyModelViewSet):
    """A public list (the catalogue, the policies): anyone may read it, and a row is found by its code."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    # Codes may hold dots and dashes; anything but a slash.
    lookup_value_regex = "[^/]+"
