"""Alibaba Cloud SMS (dysmsapi 2017-05-25): SendSms and SendBatchSms over the RPC API.

Signing is the documented RPC signature v1: parameters sorted by name, each name and value
percent-encoded (RFC 3986: space %20, ``*`` %2A, ``~`` kept), ``StringToSign = METHOD & %2F &
encode(query)``, ``Signature = base64(HMAC-SHA1(secret + "&", StringToSign))``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

from core import httpclient
from core.sms import SmsError, SmsMessage, SmsResult

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
BATCH_SIZE = 100  # SendBatchSms takes at most 100 numbers a call

#: Codes that will not change by trying again (wrong number, unapproved template or signature).
PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.SMS_SIGN_ILLEGAL",
}
#: The API's own request-rate limit: wait a moment and send the same request again.
THROTTLED = {"Throttling", "Throttling.User", "Throttling.Api", "Throttling.Resource"}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as the signature document asks (``quote`` with only -_.~ safe)."""
    return quote(str(value), safe="-_.~")


def string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params)
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def sign(secret: str, method: str, params: dict[str, str]) -> str:
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    name = "aliyun"
    batch_size = BATCH_SIZE

    def __init__(self, config) -> None:
        self.endpoint = config.get("SMS_ENDPOINT") or DEFAULT_ENDPOINT
        self.key_id = config.get("SMS_ACCESS_KEY_ID", "")
        self.secret = config.get("SMS_ACCESS_KEY_SECRET", "")
        self.sign_name = config.get("SMS_SIGN_NAME", "")
        self.timeout = float(config.get("SMS_TIMEOUT", 10))
        self.throttle_retries = int(config.get("SMS_THROTTLE_RETRIES", 8))

    def _call(self, action: str, fields: dict[str, str]) -> dict:
        params = {
            "AccessKeyId": self.key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            **fields,
        }
        params["Signature"] = sign(self.secret, "POST", params)
        body = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in params.items())
        try:
            answer = httpclient.request(
                "POST",
                self.endpoint,
                body.encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
                self.timeout,
            )
        except httpclient.NotDelivered as error:
            raise SmsError("NotDelivered", str(error)) from error
        except httpclient.AnswerLost as error:
            raise SmsError("AnswerLost", str(error), retry=False, unsure=True) from error
        data = answer.json()
        code = data.get("Code") or f"HTTP{answer.status}"
        if code != "OK":
            raise SmsError(code, data.get("Message", ""), retry=code not in PERMANENT)
        return data

    def _call_throttled(self, action: str, fields: dict[str, str]) -> dict:
        """Repeat a request the API refused for its rate (nothing was accepted), briefly."""
        for attempt in range(self.throttle_retries):
            try:
                return self._call(action, fields)
            except SmsError as error:
                if error.code not in THROTTLED or attempt == self.throttle_retries - 1:
                    raise
                time.sleep(min(0.02 * 2**attempt, 1.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def send(self, phones: list[str], message: SmsMessage, out_id: str = "") -> list[SmsResult]:
        """One template to several numbers: SendSms for one, SendBatchSms for more."""
        try:
            if len(phones) == 1:
                fields = {
                    "PhoneNumbers": phones[0],
                    "SignName": self.sign_name,
                    "TemplateCode": message.template,
                    "TemplateParam": json.dumps(message.params, ensure_ascii=False),
                }
                if out_id:
                    fields["OutId"] = out_id
                data = self._call_throttled("SendSms", fields)
            else:
                fields = {
                    "PhoneNumberJson": json.dumps(phones),
                    "SignNameJson": json.dumps([self.sign_name] * len(phones), ensure_ascii=False),
                    "TemplateCode": message.template,
                    "TemplateParamJson": json.dumps(
                        [message.params] * len(phones), ensure_ascii=False
                    ),
                }
                data = self._call_throttled("SendBatchSms", fields)
        except SmsError as error:
            return [SmsResult(phone, error=error) for phone in phones]
        return [SmsResult(phone, ref=data.get("BizId", "")) for phone in phones]
