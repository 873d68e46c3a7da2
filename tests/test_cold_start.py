import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("azure.cosmos", "azure.storage", "azure.servicebus", "azure.messaging", "azure.identity", "numpy",
         "sklearn", "skops", "scipy", "pandas", "sendgrid", "redis", "fakeredis", "aiohttp")


def test_importing_function_app_loads_no_azure_sdk_numpy_or_scikit_learn():
    code = "import json, sys, function_app; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    heavy = [name for name in loaded if name.split(".")[0] in {h.split(".")[0] for h in HEAVY if "." not in h}
             or any(name == h or name.startswith(h + ".") for h in HEAVY)]
    assert heavy == [], f"function_app pulled in: {heavy}"
