"""Signing in through the city's unified login (统一身份认证), an OpenID Connect provider.

`provider` says whether it is configured and where its endpoints are, `identities` decides which
account of the portal an identity is (and records refusals), `backend` and `views` plug both into
mozilla-django-oidc's code flow.
"""
