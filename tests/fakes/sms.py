"""Fake Alibaba Cloud and Tencent Cloud SMS endpoints that check what the docs require.

Signatures are recomputed here from the documents (not with the client's code): Aliyun RPC v1
(sorted, RFC 3986-encoded parameters, HMAC-SHA1 with ``secret&``), Tencent TC3-HMAC-SHA256
(canonical request over content-type and host, a key derived by date, service, tc3_request).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

from tests.fakes.base import FakeProvider

KEY_ID, KEY_SECRET = "LTAI-test-key", "test-secret-aliyun"
SECRET_ID, SECRET_KEY = "AKID-test", "test-secret-tencent"
APP_ID = "1400000001"
SIGN_NAME = "首善双槐"
TEMPLATES = {"SMS_100001", "SMS_100002", "1001", "1002"}
MOBILE = re.compile(r"^1[3-9]\d{9}$")


class FakeAliyun(FakeProvider):
    """dysmsapi 2017-05-25 SendSms / SendBatchSms. ``per_number_per_minute`` like the real
    default flow control (1 a minute per number) answers isv.BUSINESS_LIMIT_CONTROL."""

    def __init__(self, rate: float | None = None, per_number_per_minute: int = 1) -> None:
        super().__init__(rate)
        self.per_minute = per_number_per_minute
        self.last: dict[str, list[float]] = {}
        self.nonces: set[str] = set()

    @staticmethod
    def _encode(value: str) -> str:
        return quote(value, safe="-_.~")  # RFC 3986, space %20, * %2A, ~ kept

    def _error(self, status: int, code: str, message: str) -> tuple[int, dict]:
        return status, {"RequestId": uuid.uuid4().hex, "Code": code, "Message": message}

    def handle(self, request, body: bytes) -> tuple[int, dict]:
        query = request.path.partition("?")[2]
        params = dict(parse_qsl(query, keep_blank_values=True))
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
        for name in (
            "AccessKeyId",
            "Action",
            "Format",
            "SignatureMethod",
            "SignatureNonce",
            "SignatureVersion",
            "Timestamp",
            "Version",
            "Signature",
        ):
            if not params.get(name):
                return self._error(400, f"Missing{name}", f"{name} is mandatory for this action.")
        if params["AccessKeyId"] != KEY_ID:
            return self._error(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
            return self._error(400, "InvalidParameter", "SignatureMethod or SignatureVersion")
        signature = params.pop("Signature")
        canonical = "&".join(f"{self._encode(k)}={self._encode(params[k])}" for k in sorted(params))
        to_sign = f"{request.command}&%2F&{self._encode(canonical)}"
        expected = base64.b64encode(
            hmac.new(f"{KEY_SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if not hmac.compare_digest(signature, expected):
            return self._error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs((datetime.now(UTC) - stamp).total_seconds()) > 15 * 60:
            return self._error(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        with self.lock:
            if params["SignatureNonce"] in self.nonces:
                return self._error(
                    400, "SignatureNonceUsed", "Specified signature nonce was used already."
                )
            self.nonces.add(params["SignatureNonce"])
        if params["Version"] != "2017-05-25":
            return self._error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        if not self.bucket.take():
            with self.lock:
                self.throttled += 1
            return self._error(
                400, "Throttling.User", "Request was denied due to user flow control."
            )
        if params["Action"] == "SendSms":
            return self._send(params)
        if params["Action"] == "SendBatchSms":
            return self._send_batch(params)
        return self._error(404, "InvalidAction.NotFound", "Specified api is not found.")

    def _check(self, phones: list[str], signs: list[str], template: str) -> tuple[int, dict] | None:
        if any(sign != SIGN_NAME for sign in signs):
            return self._error(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if template not in TEMPLATES:
            return self._error(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        if not all(MOBILE.match(phone) for phone in phones):
            return self._error(200, "isv.MOBILE_NUMBER_ILLEGAL", "手机号码格式错误")
        now = time.monotonic()
        with self.lock:
            for phone in phones:
                recent = [t for t in self.last.get(phone, []) if now - t < 60]
                if len(recent) >= self.per_minute:
                    return self._error(200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
            for phone in phones:
                self.last.setdefault(phone, []).append(now)
        return None

    def _accept(self, phones, template, params, out_id="") -> tuple[int, dict]:
        biz_id = f"{uuid.uuid4().int % 10**15}^0"
        with self.lock:
            for phone, param in zip(phones, params, strict=True):
                self.accepted.append(
                    {
                        "phone": phone,
                        "template": template,
                        "params": param,
                        "out_id": out_id,
                        "biz_id": biz_id,
                    }
                )
        return 200, {"RequestId": uuid.uuid4().hex, "Code": "OK", "Message": "OK", "BizId": biz_id}

    def _send(self, params: dict) -> tuple[int, dict]:
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not params.get(name):
                return self._error(400, f"Missing{name}", f"{name} is mandatory for this action.")
        phones = params["PhoneNumbers"].split(",")
        try:
            param = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return self._error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
        refused = self._check(phones, [params["SignName"]], params["TemplateCode"])
        return refused or self._accept(
            phones, params["TemplateCode"], [param] * len(phones), params.get("OutId", "")
        )

    def _send_batch(self, params: dict) -> tuple[int, dict]:
        for name in ("PhoneNumberJson", "SignNameJson", "TemplateCode"):
            if not params.get(name):
                return self._error(400, f"Missing{name}", f"{name} is mandatory for this action.")
        try:
            phones = json.loads(params["PhoneNumberJson"])
            signs = json.loads(params["SignNameJson"])
            values = json.loads(params.get("TemplateParamJson") or "[]")
        except ValueError:
            return self._error(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法")
        if len(phones) > 100:
            return self._error(200, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        if len(signs) != len(phones) or (values and len(values) != len(phones)):
            return self._error(200, "isv.INVALID_PARAMETERS", "参数个数不一致")
        refused = self._check(phones, signs, params["TemplateCode"])
        return refused or self._accept(phones, params["TemplateCode"], values or [{}] * len(phones))


class FakeTencent(FakeProvider):
    """sms 2021-01-11 SendSms. One number may get one message in 30 seconds
    (LimitExceeded.PhoneNumberThirtySecondLimit in its status)."""

    def __init__(self, rate: float | None = None) -> None:
        super().__init__(rate)
        self.last: dict[str, float] = {}

    def _error(self, code: str, message: str) -> tuple[int, dict]:
        return 200, {
            "Response": {
                "Error": {"Code": code, "Message": message},
                "RequestId": str(uuid.uuid4()),
            }
        }

    def handle(self, request, body: bytes) -> tuple[int, dict]:
        headers = request.headers
        authorization = headers.get("Authorization", "")
        match = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
            r"SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})",
            authorization,
        )
        if not match:
            return self._error("AuthFailure.InvalidAuthorization", "Credential is not valid.")
        secret_id, date, signed_headers, signature = match.groups()
        if secret_id != SECRET_ID:
            return self._error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        for name in ("X-TC-Action", "X-TC-Version", "X-TC-Timestamp"):
            if not headers.get(name):
                return self._error(
                    "MissingParameter", f"The request is missing a required header `{name}`."
                )
        timestamp = int(headers["X-TC-Timestamp"])
        if abs(time.time() - timestamp) > 300:
            return self._error("AuthFailure.SignatureExpire", "Request has expired.")
        if datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != date:
            return self._error("AuthFailure.SignatureFailure", "Credential date does not match.")
        names = signed_headers.split(";")
        if "content-type" not in names or "host" not in names:
            return self._error(
                "AuthFailure.SignatureFailure", "content-type and host must be signed."
            )
        canonical_headers = "".join(f"{n}:{headers.get(n, '').strip().lower()}\n" for n in names)
        canonical = (
            f"{request.command}\n/\n\n{canonical_headers}\n{signed_headers}\n"
            f"{hashlib.sha256(body).hexdigest()}"
        )
        to_sign = (
            f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n"
            f"{hashlib.sha256(canonical.encode()).hexdigest()}"
        )
        key = f"TC3{SECRET_KEY}".encode()
        for part in (date, "sms", "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return self._error(
                "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
            )
        if headers["X-TC-Action"] != "SendSms":
            return self._error("InvalidAction", "The action requested does not exist.")
        if headers["X-TC-Version"] != "2021-01-11":
            return self._error("NoSuchVersion", "The requested version does not exist.")
        if not self.bucket.take():
            with self.lock:
                self.throttled += 1
            return self._error(
                "RequestLimitExceeded", "Your current request count exceeds the limit."
            )
        try:
            payload = json.loads(body)
        except ValueError:
            return self._error("InvalidParameter", "Request body is not JSON.")
        return self._send(payload)

    def _send(self, payload: dict) -> tuple[int, dict]:
        for name in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId"):
            if not payload.get(name):
                return self._error(
                    "MissingParameter", f"The request is missing a required parameter `{name}`."
                )
        if payload["SmsSdkAppId"] != APP_ID:
            return self._error("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId校验失败")
        if payload.get("SignName") != SIGN_NAME:
            return self._error(
                "FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误"
            )
        if payload["TemplateId"] not in TEMPLATES:
            return self._error(
                "FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配"
            )
        phones = payload["PhoneNumberSet"]
        if len(phones) > 200:
            return self._error("LimitExceeded.PhoneNumberCountLimit", "单次提交号码数量超过200")
        statuses = []
        now = time.monotonic()
        for phone in phones:
            national = phone.removeprefix("+86")
            status = {
                "PhoneNumber": phone,
                "SessionContext": payload.get("SessionContext", ""),
                "IsoCode": "CN",
                "Fee": 0,
                "SerialNo": "",
            }
            with self.lock:
                if not MOBILE.match(national):
                    status |= {
                        "Code": "InvalidParameterValue.IncorrectPhoneNumber",
                        "Message": "手机号格式错误",
                    }
                elif now - self.last.get(phone, -1e9) < 30:
                    status |= {
                        "Code": "LimitExceeded.PhoneNumberThirtySecondLimit",
                        "Message": "单个手机号30秒内下发短信条数超过设定的上限",
                    }
                else:
                    self.last[phone] = now
                    serial = uuid.uuid4().hex
                    status |= {
                        "Code": "Ok",
                        "Message": "send success",
                        "Fee": 1,
                        "SerialNo": serial,
                    }
                    self.accepted.append(
                        {
                            "phone": national,
                            "template": payload["TemplateId"],
                            "params": payload.get("TemplateParamSet", []),
                            "out_id": payload.get("SessionContext", ""),
                            "biz_id": serial,
                        }
                    )
            statuses.append(status)
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}}
