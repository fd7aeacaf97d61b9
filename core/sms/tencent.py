"""Tencent Cloud SMS (API 2021-01-11): SendSms with TC3-HMAC-SHA256 signing.

CanonicalRequest = ``POST\\n/\\n\\ncontent-type:…\\nhost:…\\n\\ncontent-type;host\\n`` + hex
sha256 of the body; StringToSign = ``TC3-HMAC-SHA256\\n<timestamp>\\n<date>/sms/tc3_request\\n``
+ hex sha256 of it; the key is derived ``"TC3"+SecretKey → date → "sms" → "tc3_request"``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from core import httpclient
from core.sms import SmsError, SmsMessage, SmsResult

DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com/"
SERVICE = "sms"
VERSION = "2021-01-11"
CONTENT_TYPE = "application/json; charset=utf-8"
BATCH_SIZE = 200  # SendSms takes at most 200 numbers a call

PERMANENT = {
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.ContainSensitiveWord",
    "InvalidParameterValue.IncorrectPhoneNumber",
    "InvalidParameterValue.TemplateParameterFormatError",
    "InvalidParameterValue.TemplateParameterLengthLimit",
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
    "MissingParameter.EmptyPhoneNumberSet",
}
THROTTLED = {"RequestLimitExceeded", "RequestLimitExceeded.GlobalRegionUinLimitExceeded"}


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(
    secret_id: str, secret_key: str, host: str, timestamp: int, payload: bytes
) -> str:
    """The Authorization header for a POST / with a JSON body, as TC3-HMAC-SHA256 specifies."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host"
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{CONTENT_TYPE}\nhost:{host}\n",
            signed_headers,
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{SERVICE}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )


class TencentSms:
    name = "tencent"
    batch_size = BATCH_SIZE

    def __init__(self, config) -> None:
        self.endpoint = config.get("SMS_ENDPOINT") or DEFAULT_ENDPOINT
        self.secret_id = config.get("SMS_ACCESS_KEY_ID", "")
        self.secret_key = config.get("SMS_ACCESS_KEY_SECRET", "")
        self.app_id = config.get("SMS_SDK_APP_ID", "")
        self.region = config.get("SMS_REGION") or "ap-guangzhou"
        self.sign_name = config.get("SMS_SIGN_NAME", "")
        self.timeout = float(config.get("SMS_TIMEOUT", 10))
        self.throttle_retries = int(config.get("SMS_THROTTLE_RETRIES", 8))

    def _call(self, payload: dict) -> dict:
        body = json.dumps(payload, ensure_ascii=False).encode()
        host = urlsplit(self.endpoint).netloc
        timestamp = int(time.time())
        headers = {
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
            "Authorization": authorization(self.secret_id, self.secret_key, host, timestamp, body),
        }
        try:
            answer = httpclient.request("POST", self.endpoint, body, headers, self.timeout)
        except httpclient.NotDelivered as error:
            raise SmsError("NotDelivered", str(error)) from error
        except httpclient.AnswerLost as error:
            raise SmsError("AnswerLost", str(error), retry=False, unsure=True) from error
        response = answer.json().get("Response")
        if answer.status != 200 or not isinstance(response, dict):
            raise SmsError(f"HTTP{answer.status}", answer.body[:200].decode("utf-8", "replace"))
        error = response.get("Error")
        if error:
            code = error.get("Code", "InternalError")
            raise SmsError(code, error.get("Message", ""), retry=code not in PERMANENT)
        return response

    def send(self, phones: list[str], message: SmsMessage, out_id: str = "") -> list[SmsResult]:
        """One template to up to 200 numbers; each number gets its own status back."""
        payload = {
            "PhoneNumberSet": [f"+86{phone}" for phone in phones],
            "SmsSdkAppId": self.app_id,
            "SignName": self.sign_name,
            "TemplateId": message.template,
            "TemplateParamSet": [str(value) for value in message.params.values()],
        }
        if out_id:
            payload["SessionContext"] = out_id
        for attempt in range(self.throttle_retries):
            try:
                response = self._call(payload)
                break
            except SmsError as error:
                if error.code in THROTTLED and attempt < self.throttle_retries - 1:
                    time.sleep(min(0.02 * 2**attempt, 1.0))
                    continue
                return [SmsResult(phone, error=error) for phone in phones]
        statuses = {s.get("PhoneNumber"): s for s in response.get("SendStatusSet") or []}
        results = []
        for phone in phones:
            status = statuses.get(f"+86{phone}")
            if status is None:
                results.append(
                    SmsResult(phone, error=SmsError("NoStatus", retry=False, unsure=True))
                )
            elif status.get("Code") == "Ok":
                results.append(
                    SmsResult(phone, ref=status.get("SerialNo", ""), fee=status.get("Fee") or 1)
                )
            else:
                code = status.get("Code", "")
                error = SmsError(code, status.get("Message", ""), retry=code not in PERMANENT)
                results.append(SmsResult(phone, error=error))
        return results
