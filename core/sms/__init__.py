"""SMS through Alibaba Cloud or Tencent Cloud: approved templates under an approved signature.

``client(config)`` gives the provider client named by ``SMS_PROVIDER`` (None when empty). Both
clients speak the provider's documented HTTP API with its documented signing, at ``SMS_ENDPOINT``
(the provider's address by default; tests point it at a local server of ours).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PHONE = re.compile(r"^1[3-9]\d{9}$")


class SmsError(Exception):
    """A provider refused or failed a request; ``retry`` says whether trying later may help."""

    def __init__(self, code: str, message: str = "", retry: bool = True, unsure: bool = False):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.retry = retry
        #: The request may have been accepted (answer lost): never re-send automatically.
        self.unsure = unsure


@dataclass
class SmsResult:
    """One number's outcome in a request: ``error`` None means the provider accepted it."""

    phone: str
    ref: str = ""
    fee: int = 1
    error: SmsError | None = None


@dataclass(frozen=True)
class SmsMessage:
    """What goes out: a template code and its parameters (name → value, in template order)."""

    template: str
    params: dict[str, str] = field(default_factory=dict)


def normalise_phone(value: str) -> str | None:
    """``+86 138 0013 8000`` → ``13800138000``; None when it is not a mainland mobile number."""
    digits = re.sub(r"[()\s\-（）]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    return digits if PHONE.match(digits) else None


def client(config) -> object | None:
    """The configured provider client, or None when ``SMS_PROVIDER`` is empty."""
    provider = (config.get("SMS_PROVIDER") or "").strip().lower()
    if not provider:
        return None
    if provider == "aliyun":
        from core.sms.aliyun import AliyunSms

        return AliyunSms(config)
    if provider == "tencent":
        from core.sms.tencent import TencentSms

        return TencentSms(config)
    raise RuntimeError(f"SMS_PROVIDER must be aliyun, tencent or empty, not {provider!r}")
