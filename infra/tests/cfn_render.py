"""Renders a CloudFormation template for one set of parameter values, offline.

The template tests assert what the stack would actually hold (policy statements, environment,
notifications) for a given deployment, so they need the intrinsic functions evaluated the way
CloudFormation evaluates them: conditions decided, `Fn::If` branches taken, `AWS::NoValue`
removed, `Fn::Sub`/`Fn::Join`/`Fn::Split`/`Fn::Select` computed, parameter constraints and
template Rules checked. Values only known after deployment stay symbolic: a resource's `Ref` is
the string `<Ref Name>` and its `Fn::GetAtt` is `<GetAtt Name.Attribute>`. Anything this
renderer does not understand raises `RenderError` rather than passing through silently, so a
test can never pass on an expression it did not evaluate.

Parsing uses cfn-lint's decoder, which understands the short-form tags (`!Ref`, `!Sub`, ...).
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from cfnlint.decode import decode


class RenderError(Exception):
    """The template cannot be rendered for these parameters (bad value, broken rule, unknown function)."""


class _NoValue:
    """The value of `AWS::NoValue`: removed from the enclosing object or list."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def load_template(path: str) -> dict:
    """Parses a YAML or JSON template file, raising RenderError on any parse problem."""
    template, matches = decode(path)
    if matches or template is None:
        raise RenderError(f"cannot parse {path}: {[str(m) for m in matches]}")
    # Plain containers: the decoder's node classes carry line marks the tests do not need.
    return json.loads(json.dumps(template))


class Rendered:
    """One deployment of a template: its parameter values and the resources it would create."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, str],
        *,
        account_id: str = "123456789012",
        region: str = "eu-west-1",
        partition: str = "aws",
        stack_name: str = "trailwatch",
    ) -> None:
        self._template = template
        self._pseudo = {
            "AWS::AccountId": account_id,
            "AWS::Region": region,
            "AWS::Partition": partition,
            "AWS::StackName": stack_name,
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.parameters = self._bind_parameters(parameters)
        self._conditions: dict[str, bool] = {}
        self._deciding: set[str] = set()
        self._check_rules()
        self._present = {
            name
            for name, resource in template.get("Resources", {}).items()
            if "Condition" not in resource or self.condition(resource["Condition"])
        }
        self.resources = {name: self._render_resource(name) for name in sorted(self._present)}
        self.outputs = {
            name: self.resolve(output["Value"])
            for name, output in template.get("Outputs", {}).items()
            if "Condition" not in output or self.condition(output["Condition"])
        }

    # ------------------------------------------------------------------ parameters and rules

    def _bind_parameters(self, given: Mapping[str, str]) -> dict[str, str]:
        declared = self._template.get("Parameters", {})
        unknown = set(given) - set(declared)
        if unknown:
            raise RenderError(f"unknown parameters: {sorted(unknown)}")
        bound = {}
        for name, spec in declared.items():
            if name in given:
                value = given[name]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise RenderError(f"parameter {name} has no default and no value")
            value = _as_string(value)
            _check_parameter(name, spec, value)
            bound[name] = value
        return bound

    def _check_rules(self) -> None:
        for name, rule in self._template.get("Rules", {}).items():
            if "RuleCondition" in rule and not self._truth(rule["RuleCondition"]):
                continue
            for assertion in rule.get("Assertions", []):
                if not self._truth(assertion["Assert"]):
                    raise RenderError(f"rule {name} fails: {assertion.get('AssertDescription', '')}")

    # ------------------------------------------------------------------ conditions

    def condition(self, name: str) -> bool:
        """The value of a named condition for these parameters."""
        if name in self._conditions:
            return self._conditions[name]
        declared = self._template.get("Conditions", {})
        if name not in declared:
            raise RenderError(f"unknown condition {name}")
        if name in self._deciding:
            raise RenderError(f"condition {name} refers to itself")
        self._deciding.add(name)
        value = self._truth(declared[name])
        self._deciding.discard(name)
        self._conditions[name] = value
        return value

    def _truth(self, expression: Any) -> bool:
        value = self.resolve(expression)
        if not isinstance(value, bool):
            raise RenderError(f"not a condition: {expression!r}")
        return value

    # ------------------------------------------------------------------ resources

    def _render_resource(self, name: str) -> dict:
        resource = self._template["Resources"][name]
        rendered = {"Type": resource["Type"]}
        for key in ("Properties", "Metadata"):
            if key in resource:
                value = self.resolve(resource[key])
                if value is not NO_VALUE:
                    rendered[key] = value
        for target in _as_list(resource.get("DependsOn", [])):
            if target not in self._present:
                raise RenderError(f"{name} depends on {target}, which this deployment does not create")
        return rendered

    def of_type(self, resource_type: str) -> dict[str, dict]:
        """The created resources of one type, by logical id."""
        return {n: r for n, r in self.resources.items() if r["Type"] == resource_type}

    def properties(self, name: str) -> dict:
        """The rendered properties of a created resource."""
        if name not in self.resources:
            raise KeyError(f"{name} is not created by this deployment")
        return self.resources[name].get("Properties", {})

    # ------------------------------------------------------------------ intrinsic functions

    def resolve(self, value: Any) -> Any:
        """Evaluates every intrinsic function in value."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key == "Condition":
                return self.condition(argument)
            if key.startswith("Fn::"):
                handler = _FUNCTIONS.get(key)
                if handler is None:
                    raise RenderError(f"unsupported function {key}")
                return handler(self, argument)
        rendered = {}
        for key, item in value.items():
            item = self.resolve(item)
            if item is not NO_VALUE:
                rendered[key] = item
        return rendered

    def _ref(self, name: Any) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self._template.get("Resources", {}):
            self._require_present(name)
            return f"<Ref {name}>"
        raise RenderError(f"Ref to unknown name {name!r}")

    def _get_att(self, argument: Any) -> str:
        if isinstance(argument, str):
            name, _, attribute = argument.partition(".")
        else:
            name, attribute = argument
        if name not in self._template.get("Resources", {}):
            raise RenderError(f"GetAtt of unknown resource {name!r}")
        self._require_present(name)
        return f"<GetAtt {name}.{attribute}>"

    def _require_present(self, name: str) -> None:
        # Before resources are decided (rules, conditions) no resource may be referenced at all.
        if not hasattr(self, "_present") or name not in self._present:
            raise RenderError(f"reference to {name}, which this deployment does not create")

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, str):
            text, variables = argument, {}
        else:
            text, variables = argument[0], self.resolve(argument[1])

        def substitute(match: re.Match) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                return _require_string(variables[inner], f"Sub variable {inner}")
            if "." in inner and inner.split(".", 1)[0] in self._template.get("Resources", {}):
                return self._get_att(inner)
            return _require_string(self._ref(inner), f"Sub variable {inner}")

        return _SUB_VARIABLE.sub(substitute, text)

    def _join(self, argument: Any) -> str:
        delimiter, items = argument
        items = self.resolve(items)
        return delimiter.join(_require_string(item, "Join item") for item in items)

    def _split(self, argument: Any) -> list[str]:
        delimiter, text = argument
        return _require_string(self.resolve(text), "Split source").split(delimiter)

    def _select(self, argument: Any) -> Any:
        index, items = argument
        index = int(self.resolve(index))
        items = self.resolve(items)
        if not 0 <= index < len(items):
            raise RenderError(f"Select index {index} outside a list of {len(items)}")
        return items[index]

    def _if(self, argument: Any) -> Any:
        name, when_true, when_false = argument
        return self.resolve(when_true if self.condition(name) else when_false)

    def _equals(self, argument: Any) -> bool:
        left, right = (self.resolve(side) for side in argument)
        return _as_string(left) == _as_string(right)

    def _not(self, argument: Any) -> bool:
        (inner,) = argument
        return not self._truth(inner)

    def _and(self, argument: Any) -> bool:
        return all(self._truth(item) for item in argument)

    def _or(self, argument: Any) -> bool:
        return any(self._truth(item) for item in argument)


_FUNCTIONS = {
    "Fn::GetAtt": Rendered._get_att,
    "Fn::Sub": Rendered._sub,
    "Fn::Join": Rendered._join,
    "Fn::Split": Rendered._split,
    "Fn::Select": Rendered._select,
    "Fn::If": Rendered._if,
    "Fn::Equals": Rendered._equals,
    "Fn::Not": Rendered._not,
    "Fn::And": Rendered._and,
    "Fn::Or": Rendered._or,
}


def _as_string(value: Any) -> Any:
    # CloudFormation hands every parameter value and comparison operand over as a string.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _require_string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise RenderError(f"{what} is not a string: {value!r}")
    return value


def _check_parameter(name: str, spec: Mapping[str, Any], value: Any) -> None:
    if not isinstance(value, str):
        raise RenderError(f"parameter {name} must be a string, got {value!r}")
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [_as_string(a) for a in allowed]:
        raise RenderError(f"parameter {name}={value!r} is not one of {allowed}")
    pattern = spec.get("AllowedPattern")
    if pattern is not None and re.fullmatch(pattern, value) is None:
        raise RenderError(f"parameter {name}={value!r} does not match {pattern}")
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError as error:
            raise RenderError(f"parameter {name}={value!r} is not a number") from error
        if "MinValue" in spec and number < float(spec["MinValue"]):
            raise RenderError(f"parameter {name}={value} is below {spec['MinValue']}")
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            raise RenderError(f"parameter {name}={value} is above {spec['MaxValue']}")
