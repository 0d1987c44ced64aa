"""A small OpenID Connect provider on loopback, for the end-to-end ``st.login`` test.

It implements what an OIDC relying party (Streamlit through Authlib) uses: discovery, the authorization
endpoint (it signs in one configured user without asking — the test plays that user), the token
endpoint (authorization code + PKCE S256, client_secret_basic or _post), the JWKS and userinfo. The ID
token is a real RS256 JWT (``joserfc``, Authlib's JOSE library) with iss, aud, exp, iat, nonce, email;
the PKCE check is Authlib's ``create_s256_code_challenge``. Started in a thread; stopped by the test.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class Provider:
    def __init__(self, *, client_id: str, client_secret: str, email: str, name: str) -> None:
        self.client_id, self.client_secret, self.email, self.name = client_id, client_secret, email, name
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, dict] = {}
        self.requests: list[str] = []  # the endpoints called, in order (the test checks the flow really ran)
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _json(self, body: dict, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                url = urlparse(self.path)
                provider.requests.append(url.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider.metadata())
                elif url.path == "/jwks":
                    self._json(KeySet([provider.key]).as_dict(private=False))
                elif url.path == "/authorize":
                    if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                        self._json({"error": "invalid_request"}, 400)
                        return
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                elif url.path == "/userinfo":
                    self._json({"sub": provider.email, "email": provider.email, "name": provider.name})
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                provider.requests.append(url.path)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path != "/token":
                    self._json({"error": "not_found"}, 404)
                    return
                client_id, client_secret = form.get("client_id"), form.get("client_secret")
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
                if (client_id, client_secret) != (provider.client_id, provider.client_secret):
                    self._json({"error": "invalid_client"}, 401)
                    return
                grant = provider.codes.pop(form.get("code", ""), None)
                if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                challenge = grant.get("code_challenge")
                if challenge and create_s256_code_challenge(form.get("code_verifier", "")) != challenge:
                    self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
                    return
                now = int(time.time())
                claims = {"iss": provider.issuer, "sub": provider.email, "aud": provider.client_id, "iat": now,
                          "exp": now + 600, "email": provider.email, "email_verified": True, "name": provider.name}
                if grant.get("nonce"):
                    claims["nonce"] = grant["nonce"]
                id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, provider.key)
                self._json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 600,
                            "id_token": id_token, "scope": "openid profile email"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo", "response_types_supported": ["code"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"], "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def start(self) -> Provider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
