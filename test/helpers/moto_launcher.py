"""Starts moto_server with one addition: ELBv2 accepts the `jwt-validation` action type.

moto 5.2.1 rejects `jwt-validation` in CreateRule; the real ALB accepts it. This adds it to
moto's allowed action types (and skips moto's own validation for it) before starting the
server, so a rule and its JwtValidationConfig round-trip through DescribeRules exactly.
Usage: python moto_launcher.py -H 127.0.0.1 -p 0
"""
import sys

import moto.elbv2.models as elbv2_models
from moto.server import main

if "jwt-validation" not in elbv2_models.ALLOWED_ACTIONS:
    elbv2_models.ALLOWED_ACTIONS.append("jwt-validation")

_orig_validate = elbv2_models.ELBv2Backend._validate_actions


def _validate_actions(self, actions):
    return _orig_validate(self, [a for a in actions if a.type != "jwt-validation"])


elbv2_models.ELBv2Backend._validate_actions = _validate_actions

if __name__ == "__main__":
    sys.argv[0] = "moto_server"
    sys.exit(main())
