"""Concurrent sessions on the Simulator: time to the headline numbers and server memory.

Loopback only and bounded: starts ``streamlit run`` on 127.0.0.1 (a free port, headless, the
synthetic demo data), opens ``--sessions`` Chromium pages at once (at most 32) on the
Simulator, and times each from navigation to the headline cards ("Median return" shown).
Two rounds:

- ``same_seed``: every session opens the same new link (one seed not run before): the
  first computes, the others wait for it (single flight) and share the result.
- ``distinct_seeds``: every session has its own new seed: one fresh run each.

A single session alone (a fresh seed, after the warm-up) is timed first, so the ratios
``*_p95_over_single`` say what concurrency adds on this machine whatever its other load.
Server RSS (``/proc/<pid>/status``) is read after a warm-up session (``rss_start_mb``: imports,
calibration and one run done), sampled during the load (``rss_peak_mb``) and read again
``--settle`` seconds after the last session closed (``rss_after_mb``); the server's CPU seconds
per round (``/proc/<pid>/stat``) say how much of the wall time is the server's own work. Targets: same seed p95
<= 2 s, distinct seeds p95 <= 5 s, ``rss_after`` within 20% of ``rss_start``. The machine is
shared: ``loadavg`` before and after is printed with the numbers.

With ``--clients ws`` the sessions are not browsers but websocket clients speaking Streamlit's
protocol (what the web page sends and receives, no rendering): the server's own time to the
headline numbers, which on a 2-core machine shared with N Chromium renderers the browser
round cannot show.

Usage: ``python bench/load.py [--sessions 10] [--clients browser|ws] [--deadline 600]``
(browser clients need Playwright and Chromium at /usr/bin/chromium). The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import start_server  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Most concurrent sessions (a bound, so the script cannot be turned into a flood).
MAX_SESSIONS = 32
#: Longest wait for one session's headline numbers (seconds).
SESSION_TIMEOUT_S = 180


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB (``VmRSS`` of ``/proc/<pid>/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by ``pid`` and its threads (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def _pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a small sample."""
    s = sorted(values)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


async def _browser_session(browser, url: str, seed: int) -> float:
    """Seconds from navigation to the headline card in a fresh Chromium context."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = await context.new_page()
        start = time.perf_counter()
        await page.goto(f"{url}/simulate?seed={seed}")
        await page.get_by_text("Median return", exact=False).first.wait_for(timeout=SESSION_TIMEOUT_S * 1000)
        return time.perf_counter() - start
    finally:
        await context.close()


async def _ws_session(url: str, seed: int) -> float:
    """Seconds from a new session's first rerun request to the headline card's delta, no browser.

    Speaks Streamlit's own websocket protocol (``/_stcore/stream``, protobuf ``BackMsg`` /
    ``ForwardMsg``) like the web client, so the time is the server's: script run, cache or
    simulation, and serialization, without any rendering.
    """
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async with websockets.connect(url.replace("http://", "ws://") + "/_stcore/stream",
                                  subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = f"seed={seed}"
        msg.rerun_script.page_name = "simulate"
        start = time.perf_counter()
        await ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), SESSION_TIMEOUT_S))
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element" \
                    and fwd.delta.new_element.WhichOneof("type") == "metric" \
                    and fwd.delta.new_element.metric.label.startswith("Median return"):
                return time.perf_counter() - start
            if kind == "script_finished":
                raise RuntimeError(f"seed {seed}: the Simulator finished without headline numbers")


async def _round(open_one, seeds: list[int], pid: int, peak: list[float]) -> list[float]:
    """Open one session per seed, all at once; seconds to the headline numbers per session."""
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            peak.append(rss_mb(pid))
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample())
    try:
        return list(await asyncio.gather(*(open_one(seed) for seed in seeds)))
    finally:
        done.set()
        await sampler


async def _rounds(open_one, n: int, settle: float, pid: int) -> dict:
    warm = await open_one(1)  # imports, calibration, one run
    single = await open_one(3)  # one session alone, a fresh run
    await asyncio.sleep(settle)
    rss_start = rss_mb(pid)
    peak: list[float] = []
    cpu0 = cpu_seconds(pid)
    same = await _round(open_one, [2] * n, pid, peak)
    cpu1 = cpu_seconds(pid)
    distinct = await _round(open_one, [100 + i for i in range(n)], pid, peak)
    cpu2 = cpu_seconds(pid)
    return {"warm": warm, "single": single, "rss_start": rss_start, "peak": peak, "same": same,
            "distinct": distinct, "cpu": (cpu0, cpu1, cpu2)}


async def run(n: int, settle: float, proc: subprocess.Popen, url: str, clients: str) -> dict:
    assert urlsplit(url).hostname == "127.0.0.1"  # loopback only
    if clients == "ws":
        r = await _rounds(lambda seed: _ws_session(url, seed), n, settle, proc.pid)
    else:
        from playwright.async_api import async_playwright

        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
            )
            try:
                r = await _rounds(lambda seed: _browser_session(browser, url, seed), n, settle, proc.pid)
            finally:
                await browser.close()
    warm, single, rss_start, peak = r["warm"], r["single"], r["rss_start"], r["peak"]
    same, distinct, (cpu0, cpu1, cpu2) = r["same"], r["distinct"], r["cpu"]
    await asyncio.sleep(settle)
    rss_after = rss_mb(proc.pid)
    return {
        "clients": clients, "sessions": n,
        "same_seed_p50_s": round(_pct(same, 50), 3), "same_seed_p95_s": round(_pct(same, 95), 3),
        "distinct_seeds_p50_s": round(_pct(distinct, 50), 3), "distinct_seeds_p95_s": round(_pct(distinct, 95), 3),
        "warmup_s": round(warm, 3), "single_session_s": round(single, 3),
        "server_cpu_same_seed_s": round(cpu1 - cpu0, 2), "server_cpu_distinct_seeds_s": round(cpu2 - cpu1, 2),
        "same_seed_p95_over_single": round(_pct(same, 95) / single, 2),
        "distinct_seeds_p95_over_single": round(_pct(distinct, 95) / single, 2),
        "rss_start_mb": round(rss_start, 1), "rss_peak_mb": round(max(peak, default=rss_start), 1),
        "rss_after_mb": round(rss_after, 1), "rss_after_over_start": round(rss_after / rss_start, 3),
        "same_seed_s": [round(x, 3) for x in same], "distinct_seeds_s": [round(x, 3) for x in distinct],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10, help=f"concurrent sessions (1..{MAX_SESSIONS})")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds to wait before reading RSS")
    parser.add_argument("--deadline", type=float, default=600.0, help="give up after this many seconds")
    parser.add_argument("--clients", choices=("browser", "ws"), default="browser",
                        help="Chromium pages (end to end) or protocol-level websocket sessions (server only)")
    args = parser.parse_args()
    n = min(max(1, args.sessions), MAX_SESSIONS)
    load_before = loadavg()
    with tempfile.TemporaryDirectory() as cache_dir:
        proc, url = start_server(cache_dir)
        try:
            out = asyncio.run(asyncio.wait_for(run(n, args.settle, proc, url, args.clients), timeout=args.deadline))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    out.update({"loadavg_before": load_before, "loadavg_after": loadavg(), "cpus": os.cpu_count(),
                "targets": {"same_seed_p95_s": 2.0, "distinct_seeds_p95_s": 5.0, "rss_after_over_start": 1.2}})
    print(f"{n} {args.clients} sessions on the Simulator (20,000 paths x 63 days, demo data), loopback")
    print(f"one session alone: {out['single_session_s']:.2f} s")
    print(f"same seed:      p50 {out['same_seed_p50_s']:.2f} s, p95 {out['same_seed_p95_s']:.2f} s")
    print(f"distinct seeds: p50 {out['distinct_seeds_p50_s']:.2f} s, p95 {out['distinct_seeds_p95_s']:.2f} s")
    print(f"server CPU: same seed {out['server_cpu_same_seed_s']:.1f} s, "
          f"distinct seeds {out['server_cpu_distinct_seeds_s']:.1f} s (wall time beyond it: clients and other load)")
    print(f"server RSS: start {out['rss_start_mb']:.0f} MB, peak {out['rss_peak_mb']:.0f} MB, "
          f"after {out['rss_after_mb']:.0f} MB ({out['rss_after_over_start']:.2f}x)")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
