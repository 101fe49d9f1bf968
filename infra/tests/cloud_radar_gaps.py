"""cloud-radar's Template, corrected where it does not render the way CloudFormation deploys.

The template tests render the SAM-transformed stack with cloud-radar (`cloud_radar.cf.unit`,
pinned in requirements-cfn-lint.txt). cloud-radar 0.17.0 departs from CloudFormation in four
ways that matter for infra/template.yaml, and `Template` below overrides exactly those methods;
everything else (conditions, resources and outputs removed by their condition, Ref, Fn::GetAtt,
Fn::Sub with and without a variable map, Fn::Join, Fn::Split, Fn::Select, pseudo parameters,
AllowedValues/AllowedPattern/MinLength/MaxLength/MinValue/MaxValue of the values passed) is
cloud-radar's own.

1. Template Rules are not evaluated: nothing in cloud-radar reads the `Rules` section, so a
   deployment CloudFormation refuses (an organisation without its trail, say) would render.
   `set_parameters` checks every rule once the values are bound, as CloudFormation does before
   it looks at anything else, with cloud-radar's own resolver for the expressions.
2. `Fn::If` resolves both branches before it picks one. The untaken branch still fails:
   `!Select [1, !Split ["s3://", !Ref RulesS3Uri]]` raises IndexError for the default, empty
   RulesS3Uri. `resolve_values` resolves the chosen branch only.
3. `AWS::NoValue` is the empty string, removed from objects but not from lists, so each
   `!If [Cond, statement, !Ref AWS::NoValue]` in a policy leaves a "" statement behind (and a
   property that really is "" would vanish). Here it is a marker of its own, removed from both.
4. Parameter values keep the type YAML gave their defaults (512, not "512"), and `Fn::Equals`
   compares Python values, so a Number parameter passed as "0" would not equal the literal 0
   of `!Equals [!Ref LogExpirationDays, 0]`. CloudFormation hands every parameter over as a
   string and compares strings; so do `set_parameters` and `Fn::Equals` here.

Values known only after deployment stay as cloud-radar renders them: a resource's Ref is its
logical id (`AlertTopic`), its Fn::GetAtt is `Name.Attribute` (`FunctionRole.Arn`).

Left as cloud-radar has them, since no test depends on them: it checks only the values passed
(cfn-lint checks the defaults), ignores AllowedValues on a Number parameter (LogRetentionDays),
and matches AllowedPattern from the start only (every pattern in the template ends in `$`).
"""

from __future__ import annotations

import copy
from typing import Any

from cloud_radar.cf.unit import Template as RadarTemplate
from cloud_radar.cf.unit import functions


class RuleViolation(ValueError):
    """A template Rule rejects the parameter values (a ValueError, like cloud-radar's own checks)."""


class _NoValue:
    """The value of `AWS::NoValue`: removed from the enclosing object or list."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


def _as_string(value: Any) -> Any:
    """The string CloudFormation sees for a scalar written in YAML; other values unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _equals_as_strings(template: RadarTemplate, values: Any) -> bool:
    """Fn::Equals on the operands' string forms, as CloudFormation compares them."""
    if isinstance(values, list):
        values = [_as_string(value) for value in values]
    return functions.equals(template, values)


class Template(RadarTemplate):
    """A cloud-radar Template with the four corrections in this module's docstring."""

    NoValue = NO_VALUE  # what cloud-radar's Ref returns for AWS::NoValue

    def load_allowed_functions(self) -> functions.Dispatch:
        return {**super().load_allowed_functions(), "Fn::Equals": _equals_as_strings}

    def set_parameters(self, parameters: dict[str, str] | None = None) -> None:
        super().set_parameters(parameters)
        for spec in self.template.get("Parameters", {}).values():
            spec["Value"] = _as_string(spec["Value"])
        self._check_rules()

    def _check_rules(self) -> None:
        for name, rule in self.template.get("Rules", {}).items():
            if "RuleCondition" in rule and not self._holds(rule["RuleCondition"]):
                continue
            for assertion in rule["Assertions"]:
                if not self._holds(assertion["Assert"]):
                    raise RuleViolation(f"rule {name} fails: {assertion.get('AssertDescription', '')}")

    def _holds(self, expression: Any) -> bool:
        # resolve_values rewrites what it is given in place; the template keeps its rules intact.
        value = self.resolve_values(copy.deepcopy(expression))
        if not isinstance(value, bool):
            raise TypeError(f"a rule expression must be true or false, not {value!r}: {expression!r}")
        return value

    def resolve_values(self, data: Any) -> Any:
        if isinstance(data, dict) and len(data) == 1 and "Fn::If" in data:
            name, when_true, when_false = data["Fn::If"]
            return self.resolve_values(when_true if functions.condition(self, name) else when_false)
        return super().resolve_values(data)

    def remove_novalue_properties(self, template: dict[str, Any]) -> dict[str, Any]:
        def without_no_value(value: Any) -> Any:
            if isinstance(value, dict):
                return {key: without_no_value(item) for key, item in value.items() if item is not NO_VALUE}
            if isinstance(value, list):
                return [without_no_value(item) for item in value if item is not NO_VALUE]
            return value

        for section in ("Resources", "Outputs"):
            if section in template:
                template[section] = without_no_value(template[section])
        return template
