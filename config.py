"""Configuration classes read from the environment, with embedded defaults.

Every setting has a default that works on a laptop (SQLite file, Whoosh index and
uploads under ``instance/``) and an environment variable for production. A ``.env``
file next to this one is read when present. ``APP_CONFIG`` picks the class:
``development`` (default), ``testing`` or ``production``.
"""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))

load_dotenv(BASE_DIR / ".env")

#: The development secret. Production refuses to start with it.
DEV_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105  (refused in production)
#: Production's ``SECRET_KEY`` signs sessions, e-mail links and feed URLs: at least this
#: many bytes (``secrets.token_urlsafe(48)`` gives 64 characters).
MIN_SECRET_KEY_BYTES = 32
#: Keys that are public (this repository's own, and the usual placeholders).
WEAK_SECRET_KEYS = frozenset({
    DEV_SECRET_KEY, "testing-secret-key", "x", "secret", "secret-key", "secret_key", "secretkey", "changeme",
    "change-me", "change_me", "please-change-me", "your-secret-key", "your_secret_key", "supersecret",
    "development", "dev", "test", "password", "default", "flask", "none", "null",
})


def secret_key_problem(key) -> str | None:
    """Why ``key`` cannot sign production's sessions and links, or None when it can."""
    if not key:
        return "SECRET_KEY is not set"
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
    if text.strip().lower() in WEAK_SECRET_KEYS:
        return "SECRET_KEY is a known development or placeholder value"
    size = len(key) if isinstance(key, bytes) else len(text.encode("utf-8"))
    if size < MIN_SECRET_KEY_BYTES:
        return f"SECRET_KEY is {size} bytes long; it must be at least {MIN_SECRET_KEY_BYTES}"
    if len(set(text)) < 8:
        return "SECRET_KEY repeats a few characters; it must be random"
    return None


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _database_url(default: str) -> str:
    url = _env("DATABASE_URL", default) or default
    return _with_driver(url)


def _with_driver(url: str) -> str:
    # Heroku-style URLs say postgres://; SQLAlchemy wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class _FromEnvironment:
    """A setting read from the environment when the app is configured, not at import.

    The secret key and the database address must follow the environment of the
    process that builds the app (a worker started with ``SECRET_KEY=…``, or a test
    that sets it), even when this module was imported earlier.
    """

    def __init__(self, name: str, default: str, convert=lambda value: value):
        self.name, self.default, self.convert = name, default, convert

    def __get__(self, instance, owner) -> str:
        return self.convert(_env(self.name, self.default) or self.default)


class Config:
    SECRET_KEY = _FromEnvironment("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _FromEnvironment(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'chumchon.sqlite3'}", _with_driver
    )
    # No ping on every checkout: shop.database.install_connection_checks pings only a
    # connection that may have gone stale.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False

    # Where the app keeps its files.
    SEARCH_INDEX_DIR = _env("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))
    UPLOAD_DIR = _env("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Where uploads live (shop/storage.py): "local" (UPLOAD_DIR) or "s3", an
    # S3-compatible object store every host shares.
    STORAGE_BACKEND = _env("STORAGE_BACKEND", "local")
    S3_BUCKET = _env("S3_BUCKET", "")
    S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL", "")  # empty: AWS itself
    S3_REGION = _env("S3_REGION", "")
    S3_ACCESS_KEY_ID = _env("S3_ACCESS_KEY_ID", "")
    S3_SECRET_ACCESS_KEY = _env("S3_SECRET_ACCESS_KEY", "")
    S3_PREFIX = _env("S3_PREFIX", "")
    MAIL_FILE_DIR = _env("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    MAX_IMAGE_BYTES = _env_int("MAX_IMAGE_BYTES", 10 * 1024 * 1024)
    MAX_IMAGE_PIXELS = _env_int("MAX_IMAGE_PIXELS", 40_000_000)

    # Search (see docs/search.md). Who drains the search outbox: ``thread`` (web
    # workers), ``inline`` (at commit) or ``off`` (a ``flask search worker`` does).
    SEARCH_INDEXER = _env("SEARCH_INDEXER", "thread")
    # Seconds between the indexer thread's fallback polls, and outbox rows per commit.
    SEARCH_POLL_SECONDS = float(_env("SEARCH_POLL_SECONDS") or 1.5)
    SEARCH_BATCH_SIZE = _env_int("SEARCH_BATCH_SIZE", 500)
    # Search outcomes kept per process (0 turns the cache off).
    SEARCH_RESULT_CACHE = _env_int("SEARCH_RESULT_CACHE", 256)
    # Seconds a process keeps the list of published experiences the search page matches
    # (a new or unpublished one shows there within this; 0 reads it at every search).
    EXPERIENCE_SEARCH_CACHE_SECONDS = float(_env("EXPERIENCE_SEARCH_CACHE_SECONDS") or 2)
    # A full rebuild's postings kept in memory before it writes a segment and starts
    # the next (a catalogue under about 2 M products is one segment at 512).
    SEARCH_REBUILD_MEMORY_MB = _env_int("SEARCH_REBUILD_MEMORY_MB", 512)
    # Processes reading and analysing products during a full rebuild, beside the one
    # writing the index (0: one per core, at most 4; 1: all in the writing process).
    SEARCH_REBUILD_PROCESSES = _env_int("SEARCH_REBUILD_PROCESSES", 0)
    # /healthz reports the index as lagging once a pending outbox row is this old.
    SEARCH_MAX_LAG_SECONDS = float(_env("SEARCH_MAX_LAG_SECONDS") or 120)
    # The change log every host's index follows (shop/search/indexer.py): rows older
    # than this are pruned by the sweeper; a host away longer rebuilds its index.
    SEARCH_LOG_RETENTION_HOURS = float(_env("SEARCH_LOG_RETENTION_HOURS") or 72)
    # How long a missing log id is waited for before it counts as rolled back.
    SEARCH_LOG_GAP_SECONDS = float(_env("SEARCH_LOG_GAP_SECONDS") or 10)
    # Rebuild this host's index from the database when it is missing or behind the log.
    SEARCH_AUTO_REBUILD = _env_bool("SEARCH_AUTO_REBUILD", True)
    # Load the Thai segmenter at start-up rather than inside the first search.
    SEARCH_WARM_ON_START = _env_bool("SEARCH_WARM_ON_START", True)

    # Language: Thai first, English a switch away.
    LANGUAGES = ("th", "en")
    BABEL_DEFAULT_LOCALE = "th"
    BABEL_DEFAULT_TIMEZONE = "Asia/Bangkok"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    # Cookies and sessions.
    SESSION_COOKIE_NAME = "chumchon_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_NAME = "chumchon_remember"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 14
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    # A sign-in without "remember me" ends after this long unused (and at the latest
    # PERMANENT_SESSION_LIFETIME after it began): browsers that restore their tabs keep
    # session cookies for ever, and a shared computer should not stay signed in. Eight
    # hours, as WTF_CSRF_TIME_LIMIT: a page left open longer could not post anyway.
    SESSION_IDLE_LIFETIME = _env_int("SESSION_IDLE_LIFETIME", 60 * 60 * 8)
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8

    # Password hashing: argon2id at OWASP's minimum (19 MiB, t=2, p=1).
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 2)
    ARGON2_MEMORY_COST_KIB = _env_int("ARGON2_MEMORY_COST_KIB", 19 * 1024)
    ARGON2_PARALLELISM = _env_int("ARGON2_PARALLELISM", 1)

    # Signed links (e-mail verification, password reset), in seconds.
    EMAIL_VERIFY_MAX_AGE = 60 * 60 * 24 * 3
    PASSWORD_RESET_MAX_AGE = 60 * 60

    # Sign-in throttling (shop/accounts/throttle.py), after OWASP's authentication and
    # credential-stuffing advice. Failures count inside LOGIN_FAILURE_WINDOW seconds.
    LOGIN_FAILURE_WINDOW = _env_int("LOGIN_FAILURE_WINDOW", 15 * 60)
    # Per account and client (the address of an unknown client, or a known device): the
    # first LOGIN_PAIR_FREE_FAILURES failures cost nothing, then each next try waits
    # LOGIN_PAIR_BASE_DELAY seconds, doubled with every failure, at most LOGIN_PAIR_MAX_DELAY.
    LOGIN_PAIR_FREE_FAILURES = _env_int("LOGIN_PAIR_FREE_FAILURES", 5)
    LOGIN_PAIR_BASE_DELAY = _env_int("LOGIN_PAIR_BASE_DELAY", 2)
    LOGIN_PAIR_MAX_DELAY = _env_int("LOGIN_PAIR_MAX_DELAY", 15 * 60)
    # Per account, from clients it does not know (every address together): past this many
    # failures only known devices, and browsers opened by the e-mailed unlock link, may
    # try. Set above what one address can reach through the growing delays, so one
    # address (an office, a carrier, a proxy) cannot close an account to new devices.
    LOGIN_ACCOUNT_MAX_FAILURES = _env_int("LOGIN_ACCOUNT_MAX_FAILURES", 20)
    # Seconds an unlock link works (once); at most one is sent per account per window.
    LOGIN_UNLOCK_MAX_AGE = _env_int("LOGIN_UNLOCK_MAX_AGE", 60 * 60)
    # Per address, Flask-Limiter's gentle ceiling on sign-in POSTs (many people may share
    # an address: it must never be the rule that bites first).
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "60 per minute")
    # The device cookie: set at sign-in, marks this browser as known to the accounts
    # signed in with it (at most DEVICE_COOKIE_MAX_ACCOUNTS, the most recent kept).
    DEVICE_COOKIE_NAME = "chumchon_device"
    DEVICE_COOKIE_MAX_AGE = _env_int("DEVICE_COOKIE_MAX_AGE", 60 * 60 * 24 * 180)
    DEVICE_COOKIE_MAX_ACCOUNTS = 5

    # Reverse proxies in front of the app: how many hops of X-Forwarded-For and
    # X-Forwarded-Proto to believe (Werkzeug's ProxyFix). 0 (the default) believes none,
    # so a client cannot pick its own address; 1 behind one proxy (nginx, a load
    # balancer) that sets those headers.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    # Shared state for several workers or hosts: with REDIS_URL set, the rate-limit
    # counters live there (all workers and hosts count together); without it, in each
    # worker's memory. RATELIMIT_STORAGE_URI, when set, wins.
    REDIS_URL = _env("REDIS_URL", "")
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", _env("REDIS_URL", "") or "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    # JSON API: per token (per address without one), and a ceiling per address.
    API_RATE_LIMIT = _env("API_RATE_LIMIT", "300 per minute")
    API_ADDRESS_RATE_LIMIT = _env("API_ADDRESS_RATE_LIMIT", "1200 per minute")
    # Orders created through the API, per token, on top of the limit above.
    API_ORDER_RATE_LIMIT = _env("API_ORDER_RATE_LIMIT", "30 per minute")
    # Largest JSON body the API reads, in bytes (a larger one is refused with 413).
    API_MAX_BODY_BYTES = _env_int("API_MAX_BODY_BYTES", 256 * 1024)
    # The server URL the OpenAPI document names; relative, so it follows the host.
    API_SERVER_URL = _env("API_SERVER_URL", "/")

    # Outgoing mail: SMTP when MAIL_SMTP_HOST is set, files in MAIL_FILE_DIR otherwise.
    MAIL_SMTP_HOST = _env("MAIL_SMTP_HOST")
    MAIL_SMTP_PORT = _env_int("MAIL_SMTP_PORT", 587)
    MAIL_SMTP_USER = _env("MAIL_SMTP_USER")
    MAIL_SMTP_PASSWORD = _env("MAIL_SMTP_PASSWORD")
    MAIL_SMTP_STARTTLS = _env_bool("MAIL_SMTP_STARTTLS", True)
    MAIL_FROM = _env("MAIL_FROM", "Chumchon Market <no-reply@chumchon.local>")

    # Absolute links in e-mails, feeds, canonical URLs, link previews and sitemaps.
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Sitemaps (docs/product.md: Sharing and search engines): products per
    # /sitemaps/products-<n>.xml (each is listed in two languages, so at most 25,000
    # keeps a file within the protocol's 50,000 URLs), and how long caches keep them.
    SITEMAP_PRODUCTS_PER_FILE = _env_int("SITEMAP_PRODUCTS_PER_FILE", 10_000)
    SITEMAP_MAX_AGE = _env_int("SITEMAP_MAX_AGE", 3600)

    # Payments.
    PLATFORM_PROMPTPAY_ID = _env("PLATFORM_PROMPTPAY_ID", "0105560000000")
    PLATFORM_FEE_BPS = _env_int("PLATFORM_FEE_BPS", 500)
    STRIPE_SECRET_KEY = _env("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = _env("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = _env("STRIPE_API_BASE")
    STRIPE_MAX_NETWORK_RETRIES = _env_int("STRIPE_MAX_NETWORK_RETRIES", 2)
    # Stripe Checkout's origin, added to the Content-Security-Policy's form-action on
    # pages whose form redirects there (see shop/payments/providers/__init__.py).
    STRIPE_CHECKOUT_ORIGIN = _env("STRIPE_CHECKOUT_ORIGIN", "https://checkout.stripe.com")
    # Shown next to the PromptPay QR for buyers who pay by bank transfer instead.
    PLATFORM_PAYEE_NAME = _env("PLATFORM_PAYEE_NAME", "Chumchon Market Co., Ltd.")
    PLATFORM_BANK_ACCOUNT = _env("PLATFORM_BANK_ACCOUNT", "Krungthai Bank 000-0-00000-0")
    # The platform's bank account as printed on invoices (pay on invoice). Development
    # defaults; set the real account in production.
    PLATFORM_BANK_NAME = _env("PLATFORM_BANK_NAME", "Krungthai Bank")
    PLATFORM_BANK_ACCOUNT_NAME = _env("PLATFORM_BANK_ACCOUNT_NAME", "Chumchon Market Co., Ltd.")
    PLATFORM_BANK_ACCOUNT_NUMBER = _env("PLATFORM_BANK_ACCOUNT_NUMBER", "000-0-00000-0")
    # Largest slip image accepted, in bytes.
    SLIP_MAX_BYTES = _env_int("SLIP_MAX_BYTES", 8 * 1024 * 1024)

    # Orders: minutes an unpaid order holds its stock before it lapses, the largest
    # quantity of one line, and the flat shipping fee of an enterprise that has not
    # set up its own shipping options.
    ORDER_HOLD_MINUTES = _env_int("ORDER_HOLD_MINUTES", 30)
    # Each carrier's public tracking page; ``{number}`` is replaced by the tracking
    # number (URL-encoded). A carrier missing here (Lalamove, "other") gets no link.
    CARRIER_TRACKING_URLS = {
        "thailand_post": "https://track.thailandpost.co.th/?trackNumber={number}",
        "kerry": "https://th.kex-express.com/th/track/?track={number}",
        "flash": "https://www.flashexpress.co.th/fle/tracking?se={number}",
        "jt": "https://www.jtexpress.co.th/service/track?billcode={number}",
        "best": "https://www.best-inc.co.th/track?bills={number}",
        "ninjavan": "https://www.ninjavan.co/th-th/tracking?id={number}",
    }
    ORDER_MAX_LINE_QUANTITY = _env_int("ORDER_MAX_LINE_QUANTITY", 9999)
    DEFAULT_SHIPPING_FEE_SATANG = _env_int("DEFAULT_SHIPPING_FEE_SATANG", 5000)

    # Seconds the home page's shared sections are kept rendered (0 turns it off).
    FRAGMENT_CACHE_SECONDS = _env_int("FRAGMENT_CACHE_SECONDS", 20)
    # Seconds the public impact figures are kept per worker (docs/impact.md; 0 turns it off).
    IMPACT_CACHE_SECONDS = _env_int("IMPACT_CACHE_SECONDS", 300)
    # Whole storefront pages and the API's public catalogue answers, kept for visitors
    # who are not signed in (docs/caching.md): on or off; how often each worker reads
    # the catalogue generation (a change shows within about this many seconds); the
    # longest an entry lives (the bound for what the change log does not follow); and,
    # without REDIS_URL, each worker's bounds (pages, megabytes).
    PAGE_CACHE_ENABLED = _env_bool("PAGE_CACHE_ENABLED", True)
    PAGE_CACHE_CHECK_SECONDS = float(_env("PAGE_CACHE_CHECK_SECONDS") or 1.0)
    PAGE_CACHE_MAX_AGE_SECONDS = _env_int("PAGE_CACHE_MAX_AGE_SECONDS", 300)
    PAGE_CACHE_ENTRIES = _env_int("PAGE_CACHE_ENTRIES", 2000)
    PAGE_CACHE_MEGABYTES = _env_int("PAGE_CACHE_MEGABYTES", 64)

    DEMO_DATA_ALLOWED = True
    # Demo photos: longest side drawn, and threads drawing them (0: one per core, up to 4).
    DEMO_PHOTO_WIDTH = _env_int("DEMO_PHOTO_WIDTH", 1200)
    DEMO_PHOTO_WORKERS = _env_int("DEMO_PHOTO_WORKERS", 4)
    TESTING = False
    DEBUG = False
    PRODUCTION = False


class DevelopmentConfig(Config):
    DEBUG = False  # the debugger stays off; `flask run --debug` turns it on deliberately


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = _database_url(_env("TEST_DATABASE_URL", "sqlite://") or "sqlite://")
    WTF_CSRF_ENABLED = False  # tests that check CSRF turn it back on
    RATELIMIT_ENABLED = False
    FRAGMENT_CACHE_SECONDS = 0
    IMPACT_CACHE_SECONDS = 0
    PAGE_CACHE_ENABLED = False  # tests of the page cache turn it on
    EXPERIENCE_SEARCH_CACHE_SECONDS = 0.0  # tests publish experiences and search at once
    SEARCH_INDEXER = _env("SEARCH_INDEXER", "off")
    SEARCH_WARM_ON_START = False
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST_KIB = 1024
    PUBLIC_BASE_URL = "http://localhost"
    SERVER_NAME = None


class ProductionConfig(Config):
    PRODUCTION = True
    DEMO_DATA_ALLOWED = False
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    name = (name or _env("APP_CONFIG", "development") or "development").lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_CONFIG must be one of {sorted(CONFIGS)}, not {name!r}") from None
