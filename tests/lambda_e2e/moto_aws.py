"""moto server for the stack world: moto 5.2.1 with its IAM enforcement corrected where it
would judge the stack's policies differently from AWS, and with Lambda's side of the triggers
handed to the test.

    python tests/lambda_e2e/moto_aws.py -H 127.0.0.1 -p PORT      (the moto virtualenv's python)

Every correction below makes moto *stricter or more exact*, never more lenient than AWS; each
says what AWS does and what moto does without it. None changes what moto stores.

Authorisation (only while enforcement is on: INITIAL_NO_AUTH_ACTION_COUNT / /moto-api/reset-auth):
1. S3 action names. AWS authorises a versioned GetObjectAcl as s3:GetObjectVersionAcl, a
   versioned HEAD as s3:GetObjectVersion and a versioned PutObjectAcl as s3:PutObjectVersionAcl;
   moto names them s3:GetObjectVersion, s3:GetObject and s3:PutObjectAcl.
2. SNS Publish and PublishBatch are authorised as sns:Publish (AWS has no sns:PublishBatch
   action; moto asks for one) against the topic's ARN (moto checks the resource "*", so a
   policy naming the topic could never publish).
3. Publishing to a topic encrypted with a customer managed key also needs kms:GenerateDataKey
   and kms:Decrypt on that key for the publisher; moto asks nothing of KMS.
4. GetObject (and HEAD) of an object encrypted with SSE-KMS under a customer managed key also
   needs kms:Decrypt on that key for the caller, asked by S3 (kms:ViaService is
   s3.<region>.amazonaws.com); a refusal is S3's AccessDenied naming kms:Decrypt and the key.
   moto asks nothing of KMS.
5. Conditions in identity policies: moto evaluates StringEquals only (any other operator
   passes) and is given no request context, and a statement whose condition fails counts as an
   explicit Deny whatever its effect. Here StringLike, Bool and the Arn operators are evaluated,
   s3:ListBucket gets its `s3:prefix` (empty when absent: no prefix never matches `AWSLogs/*`,
   as in AWS), S3's kms:Decrypt its kms:ViaService, and a statement whose condition fails
   simply does not apply. Condition keys still without a value pass, as in moto.
6. AssumeRole trust policies: moto looks the role up in the caller's account only (so a
   cross-account AssumeRole is never checked against the trust policy) and compares
   `Principal.AWS` literally (so `arn:aws:iam::<account>:root` never matches a user of that
   account) and fails on a `Service` principal. Here the role is found in its own account,
   `:root` means any identity of that account (whose own IAM policy must also allow the call),
   and a Service principal matches no IAM identity - only the Lambda service (not modelled:
   the test assumes the function role before enforcement starts) may assume the function role.
   An AssumeRole without an external id has none, so an `sts:ExternalId` condition fails
   (moto passes a condition whose key is absent).
7. moto applies a bucket policy's Deny statements to object requests (nothing else of a bucket
   policy), evaluating conditions as above: the stack's DenyInsecureTransport (Bool
   aws:SecureTransport false) would then deny every request. The stack world's clients speak
   plain HTTP to loopback, standing for the TLS every AWS SDK uses, so bucket policies see
   aws:SecureTransport true, and Bool is evaluated.
8. Publishing is also judged by the topic's policy: moto stores a topic policy and never
   reads it. Its Deny statements now apply, with aws:PrincipalArn (for a role session, the
   role's ARN) and the Arn* operators evaluated; its Allow statements change nothing, as moto
   already requires an identity policy.
9. Signatures of requests whose query string holds characters SigV4 encodes (an S3 `prefix`
   with `/`): moto signs the decoded query and rejects the request; here the query is encoded
   canonically (RFC 3986, as SigV4 specifies) before the signature is computed.
10. Signatures of form-encoded requests (SNS, STS, IAM): moto's server loses the body's bytes
   once Flask has parsed the form and signs a re-encoding of the parsed fields instead, which
   differs from what an SDK signed as soon as a value holds a space or a reserved character
   (an alert's JSON always does). Here the body's bytes are kept for the signature.

11. A read of a missing object - GET, HEAD or GetObjectAcl, of a key or of a version (NoSuchKey,
   NoSuchVersion, HEAD's bodiless 404, a delete marker included) - is answered 404 by S3 only
   to a caller that may s3:ListBucket on the bucket with the request's context, which has no
   s3:prefix; everyone else gets 403 AccessDenied (S3's XML error; a HEAD's 403 has no body).
   moto answers 404 to anyone allowed the read. Here the caller's identity policies are asked
   for s3:ListBucket on the bucket with an empty s3:prefix, conditions evaluated as in 5 (a
   grant conditioned on a prefix like `AWSLogs/*` does not count), and a bucket policy's Deny
   of it counts too; unless allowed, the 404 becomes S3's 403.

Triggers (moto cannot run the function; that would need Docker):
12. S3 event notifications carry `versionId` (and a `sequencer`) for objects of a versioned
   bucket, as S3 sends them; moto omits both.
13. An S3 notification to a Lambda function is not run by moto but sent, as the asynchronous
   invocation S3 asks of Lambda (`{"FunctionArn", "Payload"}`), to the SQS queue
   `stack-world-invocations` of the notifying account, where the test takes it and runs the
   handler with the function role's credentials, as Lambda would.

Organizations:
14. ListAccounts from an account that belongs to no organization is refused by AWS with
   AWSOrganizationsNotInUseException; moto lists no account and succeeds. Here it is refused.
"""

from __future__ import annotations

import fnmatch
import io
import json
import sys
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote, urlparse

from moto import server, settings
from moto.core.responses import BaseResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam import access_control, policy_conditions
from moto.iam.models import iam_backends
from moto.organizations.exceptions import AWSOrganizationsNotInUseException
from moto.organizations.models import OrganizationsBackend
from moto.s3 import notifications
from moto.s3.exceptions import S3ClientError
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response
from moto.sns.responses import SNSResponse

INVOCATIONS_QUEUE = "stack-world-invocations"


def _enforcing() -> bool:
    return ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT


def _iam_request(response: Any, request_cls: type, action: str) -> Any:
    """The authorisation request moto builds for `response`, asking for `action` instead."""
    parsed = urlparse(response.uri)
    path = parsed.path + ("?" + parsed.query if parsed.query else "")
    request = request_cls(
        account_id=response.current_account,
        method=response.method,
        path=path,
        data=response.data,
        body=response.raw_body,
        headers=response.headers,
        action=action.split(":", 1)[1],
    )
    request._action = action
    return request


def _authorize_extra(response: Any, request_cls: type, action: str, resource: str) -> None:
    """Checks that the caller of `response` may also do `action` on `resource`."""
    _iam_request(response, request_cls, action).check_action_permitted(resource)


def _principal_arn(access_key: Any) -> str:
    """aws:PrincipalArn: a user's ARN, or for a role session the role's (not the session's)."""
    if isinstance(access_key, access_control.AssumedRoleAccessKey):
        return f"arn:aws:iam::{access_key.account_id}:role/{access_key._owner_role_name}"
    return access_key.arn


def _key_arn(account: str, region: str, key_id: str) -> str | None:
    """The ARN of a customer managed key, or None for an AWS managed key or an unknown id."""
    from moto.kms.models import kms_backends

    if not key_id or key_id.startswith("alias/aws/"):
        return None
    backend = kms_backends[account][region]
    try:
        key = backend.describe_key(key_id)
    except Exception:  # noqa: BLE001 - an id KMS does not know is AWS managed or foreign
        return None
    return key.arn if key.key_manager == "CUSTOMER" else None


# 1. S3 action names of versioned requests.
_s3_set_action = S3Response._set_action


def _set_action(self: S3Response, resource_type: str, method: str, querystring: dict) -> None:
    _s3_set_action(self, resource_type, method, querystring)
    if resource_type != "KEY" or "versionId" not in querystring:
        return
    if method == "GET" and "acl" in querystring:
        self.data["Action"] = "GetObjectVersionAcl"
    elif method == "PUT" and "acl" in querystring:
        self.data["Action"] = "PutObjectVersionAcl"
    elif method == "HEAD":
        self.data["Action"] = "GetObjectVersion"


S3Response._set_action = _set_action


# 4. SSE-KMS objects need kms:Decrypt.
_s3_authorize = S3Response._authenticate_and_authorize_s3_action


def _authorize_s3(self: S3Response, bucket_name: str | None = None, key_name: str | None = None) -> None:
    enforcing = _enforcing()
    _s3_authorize(self, bucket_name=bucket_name, key_name=key_name)
    if not (enforcing and key_name and self.data.get("Action") in ("GetObject", "GetObjectVersion")):
        return
    version_id = self.querystring.get("versionId", [None])[0]
    try:
        key = self.backend.get_object(bucket_name, key_name, version_id=version_id)
    except Exception:  # noqa: BLE001 - a missing object is S3's answer to give
        return
    if key is None or getattr(key, "encryption", None) != "aws:kms":
        return
    arn = _key_arn(self.current_account, self.region, key.kms_key_id or "")
    if not arn:
        return
    request = _iam_request(self, access_control.S3IAMRequest, "kms:Decrypt")
    request.stack_world_context = {"kms:ViaService": f"s3.{self.region}.amazonaws.com"}
    try:
        request.check_action_permitted(arn)
    except S3ClientError:
        # S3 passes KMS's refusal on as AccessDenied naming the action and the key.
        caller = request._access_key.arn
        raise S3ClientError(
            "AccessDenied",
            f"User: {caller} is not authorized to perform: kms:Decrypt on resource: {arn} "
            "because no identity-based policy allows the kms:Decrypt action",
        ) from None


S3Response._authenticate_and_authorize_s3_action = _authorize_s3


# 2., 3. and 8. SNS publishing: the action, the topic's ARN, its key, its policy.
def _sns_resource(self: SNSResponse) -> str:
    if self._get_action() in ("Publish", "PublishBatch"):
        return self._get_param("TopicArn") or self._get_param("TargetArn") or "*"
    return "*"


SNSResponse._determine_resource = _sns_resource
_sns_authorize = SNSResponse._authenticate_and_authorize_normal_action


def _authorize_sns(self: SNSResponse, resource: str = "*") -> None:
    enforcing = _enforcing()
    if enforcing and self._get_action() == "PublishBatch":
        request = _iam_request(self, access_control.IAMRequest, "sns:Publish")
        request.check_signature()
        request.check_action_permitted(resource)
    else:
        _sns_authorize(self, resource)
    if not enforcing or self._get_action() not in ("Publish", "PublishBatch") or resource == "*":
        return
    try:
        topic = self.backend.get_topic(resource)
    except Exception:  # noqa: BLE001 - SNS itself answers NotFound
        return
    arn = _key_arn(self.current_account, self.region, topic.kms_master_key_id)
    if arn:
        for action in ("kms:GenerateDataKey", "kms:Decrypt"):
            _authorize_extra(self, access_control.IAMRequest, action, arn)
    request = _iam_request(self, access_control.IAMRequest, "sns:Publish")
    caller = _principal_arn(request._access_key)
    policy = access_control.IAMPolicy(topic.policy)
    if policy.is_action_permitted("sns:Publish", resource, None, {"aws:PrincipalArn": caller}) == (
        access_control.PermissionResult.DENIED
    ):
        request._raise_access_denied()


SNSResponse._authenticate_and_authorize_normal_action = _authorize_sns


# 5. Conditions.
def _string_like(expected: list[str] | str, actual: str) -> bool:
    patterns = [expected] if isinstance(expected, str) else expected
    return any(fnmatch.fnmatchcase(actual, p) for p in patterns)


policy_conditions.CONDITION_OPERATIONS["StringLike"] = _string_like
policy_conditions.CONDITION_OPERATIONS["Bool"] = lambda expected, actual: str(expected).lower() == actual
policy_conditions.CONDITION_OPERATIONS["ArnEquals"] = _string_like
policy_conditions.CONDITION_OPERATIONS["ArnLike"] = _string_like
policy_conditions.CONDITION_OPERATIONS["ArnNotEquals"] = lambda expected, actual: not _string_like(expected, actual)
policy_conditions.CONDITION_OPERATIONS["ArnNotLike"] = lambda expected, actual: not _string_like(expected, actual)


def _statement(self: Any, action: str, resource: str = "*", principal: str | None = None, values: Any = None) -> Any:
    """moto's statement evaluation, except that a statement whose condition fails does not
    apply (moto makes it a Deny, whatever its effect)."""
    result = access_control.PermissionResult
    st = self._statement
    if "NotAction" in st:
        concerned = not self._check_element_matches("NotAction", action)
    else:
        concerned = self._check_element_matches("Action", action)
    if not concerned or self.is_unknown_principal(st.get("Principal")):
        return result.NEUTRAL
    if principal and not self._check_principal(principal):
        return result.DENIED  # a trust policy that does not name the caller, as in moto
    if not self._check_conditions(values):
        return result.DENIED if principal else result.NEUTRAL
    if not st.get("Resource"):
        return result.PERMITTED if st["Effect"] == "Allow" else result.DENIED
    if not self._check_element_matches("Resource", resource):
        return result.NEUTRAL
    return result.PERMITTED if st["Effect"] == "Allow" else result.DENIED


access_control.IAMPolicyStatement.is_action_permitted = _statement
def _check_action_permitted(self: Any, resource: str) -> None:
    """moto's check, given the request context its statements' conditions need."""
    if self._action == "sts:GetCallerIdentity":
        return
    values = dict(getattr(self, "stack_world_context", {}))
    if self._action == "s3:ListBucket":
        values["s3:prefix"] = parse_qs(urlparse(self._path).query).get("prefix", [""])[0]
    permitted = False
    for policy in self._access_key.collect_policies():
        result = access_control.IAMPolicy(policy).is_action_permitted(self._action, resource, None, values)
        if result == access_control.PermissionResult.DENIED:
            self._raise_access_denied()
        permitted = permitted or result == access_control.PermissionResult.PERMITTED
    if self._is_assuming_role_operation(resource):
        permitted = permitted and self._check_role_trust_relationship(resource)
    if not permitted:
        self._raise_access_denied()


access_control.IAMRequestBase.check_action_permitted = _check_action_permitted


# 9. Signatures over a query string.
_aws_request = access_control.IAMRequestBase._create_aws_request


def _create_aws_request(self: Any) -> Any:
    request = _aws_request(self)
    parsed = urlparse(request.url)
    if parsed.query:
        pairs = parse_qsl(parsed.query, keep_blank_values=True)
        query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in pairs)
        request.url = parsed._replace(query=query).geturl()
    return request


access_control.IAMRequestBase._create_aws_request = _create_aws_request


# 10. Signatures over a form body.
_dispatch_call = DomainDispatcherApplication.__call__


def _keep_body(self: Any, environ: dict, start_response: Any) -> Any:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["stack_world.raw_body"] = body
    return _dispatch_call(self, environ, start_response)


DomainDispatcherApplication.__call__ = _keep_body
_setup_class = BaseResponse.setup_class


def _setup(self: Any, request: Any, full_url: str, headers: Any, *args: Any, **kwargs: Any) -> None:
    _setup_class(self, request, full_url, headers, *args, **kwargs)
    raw = getattr(request, "environ", {}).get("stack_world.raw_body")
    if not self.raw_body and raw:
        self.raw_body = raw


BaseResponse.setup_class = _setup


# 7. Bucket policies over TLS.
def _bucket_permission(self: Any, action: str, resource: str) -> Any:
    if self.policy is None:
        return access_control.PermissionResult.NEUTRAL
    policy = access_control.IAMPolicy(self.policy.decode())
    return policy.is_action_permitted(action, resource, None, {"aws:SecureTransport": "true"})


FakeBucket.get_permission = _bucket_permission


# 11. A missing object is S3's 403 to a caller that may not list the bucket.
_READS = ("GetObject", "GetObjectVersion", "GetObjectAcl", "GetObjectVersionAcl")
_MISSING = ("NoSuchKey", "NoSuchVersion")
_s3_key_response = S3Response._key_response


def _may_list_bucket(response: S3Response, bucket_name: str) -> bool:
    """Whether the caller of `response` may s3:ListBucket on `bucket_name` with no s3:prefix,
    as S3 asks before it says that an object is missing."""
    try:
        bucket = response.backend.get_bucket(bucket_name)
        arn = f"arn:{bucket.partition}:s3:::{bucket_name}"
        request = _iam_request(response, access_control.S3IAMRequest, "s3:ListBucket")
    except Exception:  # noqa: BLE001 - an unsigned caller, or no bucket: nothing allows it
        return False
    # The listing S3 imagines is of the bucket itself: no `prefix` in its query.
    request._path = f"/{bucket_name}"
    try:
        request.check_action_permitted(arn)
    except S3ClientError:
        return False
    return bucket.get_permission("s3:ListBucket", arn) != access_control.PermissionResult.DENIED


def _key_response(self: S3Response, request: Any, full_url: str) -> Any:
    enforcing = _enforcing()
    try:
        answer = _s3_key_response(self, request, full_url)
    except S3ClientError as error:
        missing = error.code in _MISSING
        if not (enforcing and missing and self.data.get("Action") in _READS):
            raise
        if not _may_list_bucket(self, self.bucket_name):
            raise S3ClientError("AccessDenied", "Access Denied") from None
        raise
    if enforcing and request.method == "HEAD" and answer[0] == 404:
        if not _may_list_bucket(self, self.bucket_name):
            return 403, {}, ""
    return answer


S3Response._key_response = _key_response


# 6. Trust policies.
def _role_account(role_arn: str) -> str | None:
    parts = role_arn.split(":")
    return parts[4] if len(parts) > 5 and parts[2] == "iam" else None


def _role(self: Any, role_arn: str) -> Any:
    account = _role_account(role_arn)
    if account is None:
        return None
    try:
        return iam_backends[account][self._access_key.partition].get_role_by_arn(role_arn)
    except Exception:  # noqa: BLE001 - not a role of any account moto knows
        return None


def _is_assuming_role(self: Any, resource_arn: str) -> bool:
    return self._action == "sts:AssumeRole" and _role(self, resource_arn) is not None


def _trusts(self: Any, role_arn: str) -> bool:
    role = _role(self, role_arn)
    # A request without an external id has none: a condition on it fails, as in AWS.
    values = {"sts:ExternalId": "", **access_control.format_incoming_conditional_values(self._data)}
    policy = access_control.IAMPolicy(role.assume_role_policy_document)
    result = policy.is_action_permitted(self._action, role_arn, self._access_key.arn, values)
    return result == access_control.PermissionResult.PERMITTED


access_control.IAMRequestBase._is_assuming_role_operation = _is_assuming_role
access_control.IAMRequestBase._check_role_trust_relationship = _trusts


def _check_principal(self: Any, principal: str) -> bool:
    expected = self._statement.get("Principal")
    if not expected:
        return True
    if expected == "*":
        return True
    names = expected.get("AWS") if isinstance(expected, dict) else None
    if names is None:
        return False  # a Service (or federated) principal: no IAM identity is one
    names = [names] if isinstance(names, str) else names
    account = principal.split(":")[4]
    return any(n in ("*", principal) or n == f"arn:aws:iam::{account}:root" or n == account for n in names)


access_control.IAMPolicyStatement._check_principal = _check_principal


# 12. and 13. Triggers.
_s3_event = notifications._get_s3_event


def _get_s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict:
    event = _s3_event(event_name, bucket, key, notification_id)
    if getattr(bucket, "is_versioned", False) and key.version_id not in (None, "null"):
        obj = event["Records"][0]["s3"]["object"]
        obj["versionId"] = key.version_id
        obj["sequencer"] = f"{int(key.last_modified.timestamp() * 1e6):016X}"
    return event


def _invoke_awslambda(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
    from moto.sqs.models import sqs_backends

    message = json.dumps({"FunctionArn": fn_arn, "Payload": event_body})
    sqs_backends[account_id][region_name].send_message(queue_name=INVOCATIONS_QUEUE, message_body=message)


notifications._get_s3_event = _get_s3_event
notifications._invoke_awslambda = _invoke_awslambda


# 14. ListAccounts outside an organization.
_list_accounts = OrganizationsBackend.list_accounts


def _list_accounts_of_organization(self: OrganizationsBackend, *args: Any, **kwargs: Any) -> Any:
    if self.org is None:
        raise AWSOrganizationsNotInUseException
    return _list_accounts(self, *args, **kwargs)


OrganizationsBackend.list_accounts = _list_accounts_of_organization


if __name__ == "__main__":
    server.main(sys.argv[1:])
