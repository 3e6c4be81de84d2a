"""The official zitadel-client SDK authenticates against Castellan's OpenID Provider, unchanged:
with client credentials (a machine user's secret) and with a private key (ZITADEL's key file,
JWT profile grant). Each authenticator fetches a token for the API audience and calls the API.

Usage: sdk_auth.py <base url> <user id> <client secret> <key file path>
Prints one line per authenticator and exits non-zero on the first failure.
"""

import sys
import warnings

warnings.filterwarnings("ignore")

import zitadel_client  # noqa: E402
from zitadel_client.models import UserServiceGetUserByIDRequest  # noqa: E402


def check(name, client, user_id):
    response = client.users.get_user_by_id(UserServiceGetUserByIDRequest(user_id=user_id))
    if response.user is None or response.user.user_id != user_id:
        raise SystemExit(f"{name}: unexpected answer {response}")
    print(f"{name}: ok")


def main():
    base, user_id, secret, key_file = sys.argv[1:5]
    check(
        "client_credentials",
        zitadel_client.Zitadel.with_client_credentials(base, user_id, secret),
        user_id,
    )
    check("private_key", zitadel_client.Zitadel.with_private_key(base, key_file), user_id)


if __name__ == "__main__":
    main()
