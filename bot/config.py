"""Settings from the environment, with a .env file filling in what the environment lacks.

Secrets live only here and in the environment: nothing prints or logs them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
ANSWER_CACHE_SIZE = 1000


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which, never its value."""


def load_dotenv(path: str | Path = ".env") -> None:
    """KEY=VALUE lines of .env into os.environ, without overriding what is already set."""
    file = Path(path)
    if not file.is_file():
        return
    for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        value = value.strip().strip("'\"")
        if key and key not in os.environ:
            os.environ[key] = value


def _ids(name: str) -> frozenset[int]:
    raw = os.environ.get(name, "")
    try:
        return frozenset(int(part) for part in re.split(r"[,\s]+", raw) if part)
    except ValueError:
        raise ConfigError(f"{name} 应为用逗号分隔的 Telegram 数字 id，如 123456789,-1001234567890 "
                          f"({name} must be a comma-separated list of numeric Telegram ids)") from None


def _positive_int(name: str, default: int, *, zero: bool = False) -> int:
    """A whole number > 0 (>= 0 with zero=True) from the environment, or the default when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} 应为整数 ({name} must be a whole number)") from None
    if value < 0 or (value == 0 and not zero):
        raise ConfigError(f"{name} 不能为负数 ({name} must be 0 or more)" if zero
                          else f"{name} 至少为 1 ({name} must be at least 1)")
    return value


@dataclass(frozen=True)
class Settings:
    token: str
    base_url: str | None
    base_file_url: str | None
    webhook_secret: str | None
    allowed_chat_ids: frozenset[int]
    admin_ids: frozenset[int]
    flood_limit: int  # questions per user per minute
    log_level: str
    answer_cache: int = ANSWER_CACHE_SIZE  # distinct questions whose answers are kept (0: none)

    def __repr__(self) -> str:  # never show the token or the secret
        return f"Settings(base_url={self.base_url!r}, log_level={self.log_level!r})"


def telegram_settings() -> Settings:
    """Read and check everything the Telegram bot needs."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError("没有设置 TELEGRAM_BOT_TOKEN：请向 @BotFather 要一个令牌，写进 .env "
                          "(TELEGRAM_BOT_TOKEN is not set)")
    if not TOKEN_PATTERN.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN 格式不对：应形如 123456789:AA…，即 3 位以上数字、一个冒号，"
                          "再接 20 个以上的字母、数字、_ 或 - (TELEGRAM_BOT_TOKEN is malformed)")
    return Settings(
        token=token,
        base_url=os.environ.get("TELEGRAM_API_BASE_URL") or None,
        base_file_url=os.environ.get("TELEGRAM_API_BASE_FILE_URL") or None,
        webhook_secret=os.environ.get("WEBHOOK_SECRET") or None,
        allowed_chat_ids=_ids("ALLOWED_CHAT_IDS"),
        admin_ids=_ids("ADMIN_IDS"),
        flood_limit=_positive_int("FLOOD_LIMIT_PER_MINUTE", 20),
        log_level=log_level(),
        answer_cache=_positive_int("ANSWER_CACHE_SIZE", ANSWER_CACHE_SIZE, zero=True),
    )


def log_level() -> str:
    level = os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError("LOG_LEVEL 应为 DEBUG、INFO、WARNING、ERROR、CRITICAL 之一 "
                          "(LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL)")
    return level


def watch_interval() -> float:
    """ARTICLE_WATCH_SECONDS: how often the bot looks for changed articles (default 10; 0 turns it off)."""
    raw = os.environ.get("ARTICLE_WATCH_SECONDS", "").strip()
    if not raw:
        return 10.0
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError("ARTICLE_WATCH_SECONDS 应为秒数（0 表示不检查文章的改动）"
                          "(ARTICLE_WATCH_SECONDS must be a number of seconds, 0 turns watching off)") from None
    if value < 0:
        raise ConfigError("ARTICLE_WATCH_SECONDS 不能为负数（0 表示不检查文章的改动）"
                          "(ARTICLE_WATCH_SECONDS must not be negative)")
    return value
