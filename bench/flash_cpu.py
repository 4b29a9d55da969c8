"""CPU per flash-sale attempt inside one process, no HTTP server: where ``bench_flash.py``
measures attempts per second through gunicorn (and drifts with the machine's load), this
counts ``time.process_time()`` around ``N`` calls of the WSGI application gunicorn serves
(``marketplace.wsgi.application``: Django's ``WSGIHandler``, behind the front door where the
code has one), so two
versions of the code can be compared side by side on a busy machine.

    .venv/bin/python bench/flash_cpu.py [CODE_ROOT ...]

Each ``CODE_ROOT`` (default: this checkout) is measured in its own subprocess, all of them
``BENCH_FLASH_CPU_PASSES`` (3) times, interleaved (A B A B …), against the same database (``silkway_bench_flash_cpu``, or ``$BENCH_DB_cpu``, on
DATABASE_URL's server, seeded by ``bench_flash.seed``) and Redis (REDIS_URL, a fresh key
prefix per run). Per root, per attempt (µs of CPU, the best pass):

- ``minimal_post``: the bench's POST yardstick (whole middleware stack, body read);
- ``admit``: a signed-in shopper let through the gate (a fresh shopper each time, who has
  looked at the flash page: their header menu is cached); ``admit_cold``: one whose first
  request is the attempt;
- ``sold_out``: the same endpoint once the gate has no unit left.

``BENCH_FLASH_CPU_N`` (default 200, at most 240) attempts per case.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
N = int(os.environ.get("BENCH_FLASH_CPU_N", "200"))  # 2 N + 20 <= 500 units
PASSES = int(os.environ.get("BENCH_FLASH_CPU_PASSES", "3"))
BENCH_DB = os.environ.get("BENCH_DB", "silkway_bench_flash") + "_cpu"  # BENCH_DB: side by side


def _environ(method: str, path: str, cookie: str, csrf: str) -> dict:
    body = b"quantity=1" if method == "POST" else b""
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "HTTP_X_CSRFTOKEN": csrf,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def _timed(handler, method: str, path: str, shoppers, profile: str = "") -> tuple[float, dict]:
    statuses: dict = {}
    profiler = None
    if profile and profile == os.environ.get("BENCH_FLASH_CPU_PROFILE"):
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()

    def start_response(status, headers, exc_info=None):
        statuses[status] = statuses.get(status, 0) + 1

    started = time.process_time()
    for cookie, csrf in shoppers:
        response = handler(_environ(method, path, cookie, csrf), start_response)
        for _chunk in response:
            pass
        if hasattr(response, "close"):  # the front door's answers are a plain list
            response.close()
    spent = (time.process_time() - started) * 1e6 / len(shoppers)
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    return spent, statuses


def worker() -> None:
    """One pass in this process (the code root is on sys.path): prints a JSON line."""
    import django

    django.setup()
    from bench.bench_flash import seed
    from marketing.flash import gate
    from marketplace.wsgi import application as handler  # as gunicorn serves it

    items, shoppers = seed()  # two live sales of 500 units, cap 2; 2,500 shoppers
    take = f"/en/flash/item/{items[0].pk}/take/"
    warm = shoppers[:20]
    _timed(handler, "POST", "/en/bench/minimal-post/", warm)
    _timed(handler, "POST", take, warm)  # 20 units taken: the process is warm
    result = {}
    result["minimal_post_us"], _ = _timed(handler, "POST", "/en/bench/minimal-post/", shoppers[:N])
    # a shopper who has looked at the flash page (their header menu is cached) ...
    seen = shoppers[20 : 20 + N]
    _timed(handler, "GET", "/en/flash/", seen)
    result["admit_us"], result["admit_answers"] = _timed(handler, "POST", take, seen, "admit")
    # ... and one whose first request is the attempt
    result["admit_cold_us"], result["admit_cold_answers"] = _timed(
        handler, "POST", take, shoppers[20 + N : 20 + 2 * N], "admit_cold"
    )
    left = gate.gate_left([items[0].pk])[items[0].pk]
    rest = shoppers[20 + 2 * N : 20 + 2 * N + left]
    _timed(handler, "POST", take, rest)  # take what is left, untimed
    result["left_after"] = gate.gate_left([items[0].pk])[items[0].pk]
    result["sold_out_us"], result["sold_out_answers"] = _timed(
        handler, "POST", take, shoppers[-N:], "sold_out"
    )
    print(json.dumps(result), flush=True)


def main(roots: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    from bench.bench_catalog_http import bench_database_url, ensure_database

    url = bench_database_url(BENCH_DB)
    ensure_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=roots[0],
        env=env,
        check=True,
    )
    for root in roots:  # the pages (DEBUG off) name the static files' manifest
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=root,
            env={**env, "PYTHONPATH": root},
            check=True,
        )
    best: dict[str, dict] = {}
    for _pass in range(PASSES):
        for root in roots:
            run = {
                **env,
                "PYTHONPATH": root,
                "CACHE_KEY_PREFIX": "silkway-bench-flash-cpu-" + secrets.token_hex(4),
            }
            out = (
                subprocess.run(
                    [python, str(HERE / "bench" / "flash_cpu.py"), "--worker"],
                    cwd=root,
                    env=run,
                    check=True,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            result = json.loads(out)
            print(root, json.dumps(result), flush=True)
            mine = best.setdefault(root, result)
            for key, value in result.items():
                if key.endswith("_us"):
                    mine[key] = min(mine[key], value)
    print()
    cases = ("minimal_post_us", "admit_us", "admit_cold_us", "sold_out_us")
    print(f"{'code':<32}" + "".join(f"{c[:-3] + ' µs':>16}" for c in cases))
    for root, r in best.items():
        print(f"{root:<32}" + "".join(f"{r[c]:>16.0f}" for c in cases))
        print(f"{'  x minimal_post':<32}" + "".join(f"{r[c] / r[cases[0]]:>16.2f}" for c in cases))
    print(f"load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        sys.path.insert(0, os.getcwd())
        worker()
    else:
        sys.exit(main(sys.argv[1:] or [str(HERE)]))
