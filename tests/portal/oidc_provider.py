"""A small OpenID Connect provider on 127.0.0.1, standing in for the city's unified login in tests.

It serves discovery, /authorize (which signs in `identity` at once and sends the browser back with
a code), /token (an RS256 ID token signed with a key made at start; PKCE and the client's secret
checked), /jwks and /userinfo, over real HTTP in a thread of its own. `flaw` makes the next
answers wrong in one way, as a forger or a misconfigured provider would.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "xfg-portal"
CLIENT_SECRET = "client-secret-of-the-portal"
# Ways the answer can be wrong: the ID token's, or the user-info answer's (about someone else).
ANSWER_FLAWS = ("forged_signature", "expired", "other_audience", "other_issuer", "wrong_nonce",
                "several_audiences_without_azp", "userinfo_of_another")


class Provider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.identity: dict[str, Any] = {}
        self.flaw = ""
        self.requests: list[str] = []  # "GET /jwks", … in the order they came
        self._codes: dict[str, dict[str, Any]] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "Provider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self, **identity: Any) -> None:
        self.identity, self.flaw, self.requests = identity, "", []

    def settings(self) -> dict[str, Any]:
        """The portal's settings for this provider (endpoints left to discovery)."""
        return {"OIDC_RP_CLIENT_ID": CLIENT_ID, "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET, "OIDC_OP_ISSUER": self.issuer}

    # --- the endpoints -------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code" or "redirect_uri" not in query:
            return 400, {}, {"error": "invalid_request"}
        code = secrets.token_urlsafe(16)
        self._codes[code] = {"identity": dict(self.identity), "nonce": query.get("nonce"),
                             "redirect_uri": query["redirect_uri"], "challenge": query.get("code_challenge")}
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"Location": back}, None

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        grant = self._codes.pop(form.get("code", ""), None)  # a code is good once
        if (grant is None or form.get("grant_type") != "authorization_code"
                or form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET
                or form.get("redirect_uri") != grant["redirect_uri"]):
            return 400, {}, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant["challenge"] != challenge:
            return 400, {}, {"error": "invalid_grant", "error_description": "PKCE"}
        access_token = secrets.token_urlsafe(16)
        self._access_tokens[access_token] = grant["identity"]
        return 200, {}, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                         "id_token": self.id_token(grant["identity"], grant["nonce"])}

    def userinfo(self, authorization: str) -> tuple[int, dict[str, str], Any]:
        identity = self._access_tokens.get(authorization.removeprefix("Bearer "))
        if identity is None:
            return 401, {}, {"error": "invalid_token"}
        if self.flaw == "userinfo_of_another":
            return 200, {}, {**identity, "sub": "someone-else"}
        return 200, {}, identity

    def id_token(self, identity: dict[str, Any], nonce: str | None) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": identity["sub"], "iat": now, "exp": now + 300,
                  "nonce": nonce, "email": identity.get("email"), "email_verified": identity.get("email_verified")}
        key = self.key
        if self.flaw == "forged_signature":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # not the published key
        elif self.flaw == "expired":
            claims.update(iat=now - 3600, exp=now - 1800)
        elif self.flaw == "other_audience":
            claims["aud"] = "another-portal"
        elif self.flaw == "other_issuer":
            claims["iss"] = "https://login.example.org"
        elif self.flaw == "several_audiences_without_azp":
            claims["aud"] = [CLIENT_ID, "another-portal"]
        elif self.flaw == "wrong_nonce":
            claims["nonce"] = "a-nonce-of-another-sign-in"
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            provider.requests.append(f"GET {url.path}")
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._answer(200, {}, provider.discovery())
            elif url.path == "/jwks":
                self._answer(200, {}, provider.jwks())
            elif url.path == "/authorize":
                self._answer(*provider.authorize(query))
            elif url.path == "/userinfo":
                self._answer(*provider.userinfo(self.headers.get("Authorization", "")))
            else:
                self._answer(404, {}, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            provider.requests.append(f"POST {url.path}")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            form = {key: values[0] for key, values in parse_qs(body).items()}
            if url.path == "/token":
                self._answer(*provider.token(form))
            else:
                self._answer(404, {}, {"error": "not_found"})

        def _answer(self, status: int, headers: dict[str, str], body: Any) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

    return Handler
