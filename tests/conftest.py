"""Test-wide isolation: Prefect and the store never touch the user's home."""
import os
import tempfile

_tmp = tempfile.mkdtemp(prefix="zhijian-tests-")
os.environ.setdefault("PREFECT_HOME", os.path.join(_tmp, "prefect"))
os.environ.setdefault("PREFECT_API_URL", "")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("ZHIJIAN_SECRET_PATH", os.path.join(_tmp, "secret"))
os.environ.setdefault("ZHIJIAN_STORE_URL", f"sqlite:///{os.path.join(_tmp, 'qa.db')}")
