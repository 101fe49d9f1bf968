"""Prints infra/template.yaml as the stack world of the end-to-end tests creates it.

    python infra/tests/render.py [--code-uri s3://bucket/key] [--region R] [Name=Value ...]

Writes one JSON object to stdout:
- `template`: the template after the SAM transform (what `sam deploy` hands CloudFormation),
  the function's code at `--code-uri`;
- `resources`: the same template deployed on paper (cloud-radar, corrected by
  cloud_radar_gaps) for these parameters in `--region` of the Production account: each created
  resource's `Type` and rendered `Properties`. A resource's `Ref` reads as its logical id and
  `Fn::GetAtt` as `Logical.Attribute`; the caller substitutes what its CloudFormation created.

It reuses the template tests' code (stack.py), so the tests on paper and the stack world
transform and decide conditions the same way. Runs offline with the `cfn-lint` virtualenv
(which infra/check.sh builds).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from stack import CODE_URI, render, transform


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code-uri", default=CODE_URI)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("parameters", nargs="*", metavar="Name=Value")
    args = parser.parse_args(argv)
    parameters: dict[str, str] = {}
    for item in args.parameters:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"{item!r} is not Name=Value")
        parameters[name] = value

    # cloud-radar prints as it renders; stdout carries only the answer.
    with contextlib.redirect_stdout(sys.stderr):
        transformed = transform(parameters, args.code_uri)
        stack = render(json.loads(json.dumps(transformed)), parameters, args.region)
    resources = {
        name: {"Type": resource["Type"], "Properties": resource.get("Properties", {})}
        for name, resource in stack["Resources"].items()
    }
    json.dump({"template": transformed, "resources": resources}, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
